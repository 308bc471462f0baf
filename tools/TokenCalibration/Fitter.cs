namespace TokenCalibration;

/// <summary>
/// Fits the linear bound. Per text, the ratio estimate/exact is linear in the coefficients, so the fit minimises a
/// convex objective: the mean ratio (averaged per kind of text, so that small kinds weigh as much as large ones)
/// plus a steep quadratic penalty on ratios below 1. The texts the penalty cannot fit without inflating everything
/// (up to the allowed share per kind) are then dropped and the fit repeated; finally all coefficients are scaled up
/// just enough that no kind has more under-estimated training texts than allowed.
/// </summary>
internal sealed class Fitter
{
    private const double Penalty = 2000;
    private readonly Func<Sample, int> _exact;
    private readonly double _allowedUnderRate;
    private readonly List<(double[] Rates, Sample Sample, int Exact)[]> _kinds;

    public Fitter(IReadOnlyList<Sample> training, Func<Sample, int> exact, double allowedUnderRate)
    {
        _exact = exact;
        _allowedUnderRate = allowedUnderRate;
        _kinds = training.GroupBy(s => s.Kind)
            .Select(g => g.Select(s => (s.Vector.Select(x => x / Math.Max(1, exact(s))).ToArray(), s, exact(s))).ToArray())
            .ToList();
    }

    public double[] Fit(int dimensions)
    {
        var theta = Enumerable.Repeat(0.5, dimensions).ToArray();
        var kinds = _kinds;
        for (int round = 0; round < 2; round++)
        {
            theta = Descend(kinds, theta);

            // Drop, per kind, the texts that pull hardest against the bound, within the allowed share (minus a margin
            // kept for rounding and the held-out texts).
            kinds = kinds.Select(kind =>
            {
                int drop = (int)Math.Floor(_allowedUnderRate * 0.5 * kind.Length);
                return kind.OrderBy(t => Dot(theta, t.Rates)).Skip(drop).ToArray();
            }).ToList();
        }

        // Scale up until every kind respects the allowed under-estimation rate with the real (rounded-up) estimate.
        double scale = 1;
        while (!IsFeasible(theta, scale))
        {
            scale *= 1.002;
        }

        return theta.Select(t => t * scale).ToArray();
    }

    private static double[] Descend(List<(double[] Rates, Sample Sample, int Exact)[]> kinds, double[] start)
    {
        // Adam on the convex objective, projected onto non-negative coefficients.
        int d = start.Length;
        var theta = (double[])start.Clone();
        var m = new double[d];
        var v = new double[d];
        var gradient = new double[d];
        const double rate = 0.01, beta1 = 0.9, beta2 = 0.999;
        for (int step = 1; step <= 6000; step++)
        {
            Array.Clear(gradient);
            foreach (var kind in kinds)
            {
                double weight = 1.0 / (kind.Length * kinds.Count);
                foreach (var (rates, _, _) in kind)
                {
                    double ratio = Dot(theta, rates);
                    double slope = 1 - (ratio < 1 ? 2 * Penalty * (1 - ratio) : 0);
                    for (int j = 0; j < d; j++)
                    {
                        gradient[j] += weight * slope * rates[j];
                    }
                }
            }

            double lr = rate * (step < 4000 ? 1 : 0.1);
            for (int j = 0; j < d; j++)
            {
                m[j] = (beta1 * m[j]) + ((1 - beta1) * gradient[j]);
                v[j] = (beta2 * v[j]) + ((1 - beta2) * gradient[j] * gradient[j]);
                double mHat = m[j] / (1 - Math.Pow(beta1, step));
                double vHat = v[j] / (1 - Math.Pow(beta2, step));
                theta[j] = Math.Max(0, theta[j] - (lr * mHat / (Math.Sqrt(vHat) + 1e-12)));
            }
        }

        return theta;
    }

    private bool IsFeasible(double[] theta, double scale)
    {
        foreach (var kind in _kinds)
        {
            int under = 0;
            foreach (var (_, sample, exact) in kind)
            {
                if (Math.Ceiling(scale * Dot(theta, sample.Vector)) < exact)
                {
                    under++;
                }
            }

            if (under > Math.Floor(_allowedUnderRate * kind.Length))
            {
                return false;
            }
        }

        return true;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int j = 0; j < a.Length; j++)
        {
            sum += a[j] * b[j];
        }

        return sum;
    }
}
