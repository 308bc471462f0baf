# Fills <!-- snippet: name --> markers in docs with the region from samples/DocSnippets (run after editing either).
import re, os, sys, textwrap, glob
root = sys.argv[1]
snips = {}
for f in glob.glob(os.path.join(root, 'samples/DocSnippets/*.cs')):
    s = open(f).read()
    for m in re.finditer(r'#region (\S+)\n(.*?)\n[ \t]*#endregion', s, re.S):
        snips[m.group(1)] = textwrap.dedent(m.group(2)).strip('\n')
for f in glob.glob(os.path.join(root, 'docs/*.md')):
    s = open(f).read()
    def repl(m):
        return f"<!-- snippet: {m.group(1)} -->\n```csharp\n{snips[m.group(1)]}\n```"
    s2 = re.sub(r'<!-- snippet: (\S+) -->\n```csharp\n(?:(?!```)[^\n]*\n)*```', repl, s)
    if s2 != s:
        open(f, 'w').write(s2)
        print('updated', f)
