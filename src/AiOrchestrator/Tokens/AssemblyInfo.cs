using System.Runtime.CompilerServices;

// The calibration tool fits the estimator's coefficients on its internal features.
[assembly: InternalsVisibleTo("TokenCalibration")]
