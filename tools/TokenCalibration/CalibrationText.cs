namespace TokenCalibration;

/// <summary>One text of the calibration set, with the kind it stands for.</summary>
internal sealed record CalibrationText(string Kind, string Text);
