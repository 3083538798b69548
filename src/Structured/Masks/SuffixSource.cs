using Structured.Tokens;

namespace Structured.Masks;

/// <summary>
/// A forest of token suffixes in depth-first order: either a <see cref="ByteTrie"/> of copied suffixes, or a
/// slice of the main token trie read in place (node depth minus <see cref="Cut"/> is the depth below the boundary).
/// </summary>
internal readonly struct SuffixSource
{
    private readonly ByteTrie? _copied;
    private readonly TokenTrie? _main;

    public readonly int From;
    public readonly int To;
    public readonly int Cut;

    public SuffixSource(ByteTrie copied)
    {
        _copied = copied;
        _main = null;
        From = 1;
        To = copied.NodeCount;
        Cut = 0;
    }

    public SuffixSource(TokenTrie main, int child, int cut)
    {
        _copied = null;
        _main = main;
        From = child;
        To = main.SubtreeEnd[child];
        Cut = cut;
    }

    public byte Byte(int node) => _copied is not null ? _copied.NodeByte[node] : _main!.NodeByte[node];

    public int Depth(int node) => (_copied is not null ? _copied.NodeDepth[node] : _main!.NodeDepth[node]) - Cut;

    public int End(int node) => _copied is not null ? _copied.SubtreeEnd[node] : _main!.SubtreeEnd[node];

    public void SetTokens(int node, Span<uint> mask)
    {
        if (_copied is not null)
        {
            for (int k = _copied.ValuesStart[node]; k < _copied.ValuesStart[node + 1]; k++)
            {
                int t = _copied.Values[k];
                mask[t >> 5] |= 1u << (t & 31);
            }
        }
        else
        {
            for (int t = _main!.NodeToken[node]; t >= 0; t = _main.SameBytesNext[t]) mask[t >> 5] |= 1u << (t & 31);
        }
    }

    public void AddTokens(int node, List<int> into)
    {
        if (_copied is not null)
        {
            for (int k = _copied.ValuesStart[node]; k < _copied.ValuesStart[node + 1]; k++) into.Add(_copied.Values[k]);
        }
        else
        {
            for (int t = _main!.NodeToken[node]; t >= 0; t = _main.SameBytesNext[t]) into.Add(t);
        }
    }
}
