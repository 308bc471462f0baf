"""Brings src/*/PublicAPI.Unshipped.txt in line with the code.

Builds each package, adds the symbols reported by RS0016 (new public API) and drops those reported by
RS0017 (removed public API). Review the diff before committing it.
"""
import glob, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for proj in sorted(glob.glob(os.path.join(root, "src", "*", "*.csproj"))):
    d = os.path.dirname(proj)
    out = subprocess.run(["dotnet", "build", proj, "--no-incremental", "-p:TreatWarningsAsErrors=false"],
                         capture_output=True, text=True).stdout
    # Only this project's diagnostics: a build also reports those of the projects it references.
    mine = "\n".join(l for l in out.splitlines() if l.rstrip().endswith("[" + proj + "]"))
    add = set(re.findall(r"RS0016: Symbol '(.+?)' is not part of the declared public API", mine))
    rem = set(re.findall(r"RS0017: Symbol '(.+?)' is part of the declared API", mine))
    p = os.path.join(d, "PublicAPI.Unshipped.txt")
    lines = open(p).read().splitlines() if os.path.exists(p) else ["#nullable enable"]
    body = sorted({l for l in lines[1:] if l and l not in rem} | add, key=str.casefold)
    open(p, "w").write("\n".join(["#nullable enable"] + body) + "\n")
    print(f"{os.path.relpath(p, root)}: +{len(add)} -{len(rem)}")
