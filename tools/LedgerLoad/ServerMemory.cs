using System.Globalization;

namespace LedgerLoad;

/// <summary>A process's resident memory from <c>/proc/&lt;pid&gt;/status</c>: now (VmRSS) and its peak so far (VmHWM).</summary>
internal static class ServerMemory
{
    public static (long CurrentBytes, long PeakBytes)? Read(int processId)
    {
        var path = "/proc/" + processId.ToString(CultureInfo.InvariantCulture) + "/status";
        if (!File.Exists(path))
        {
            return null;
        }

        long current = 0, peak = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                current = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }

        return (current, peak);
    }

    public static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MB";

    private static long Kilobytes(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim().TrimEnd("kB").Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
}
