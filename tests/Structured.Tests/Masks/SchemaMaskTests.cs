using System.Text;
using Structured.Masks;
using Structured.Schemas;
using Structured.Tokens;

namespace Structured.Tests.Masks;

/// <summary>
/// Masks of compiled JSON Schemas with o200k, at every byte of instances that name properties, add others, and fill
/// strings with length bounds: the states where the generic key lexeme lives beside property names, and where token
/// classes are shared across length bounds. Sampled bits must equal the parser.
/// </summary>
public class SchemaMaskTests
{
    private static readonly (string Schema, string Instance)[] Cases =
    [
        // Named properties come in the schema's order, then the others.
        ("""{"type":"object","properties":{"version":{"type":"string","maxLength":40},"vendor":{"type":"string","pattern":"^[a-z]+$"},"value":{"type":"integer"},"vé":{"type":"boolean"},"name":{"type":"string","maxLength":300}}}""",
         """{"version":"1.2","vendor":"ab","value":5,"vé":true,"name":"a fairly long name that runs on","ver":1,"v":null,"versions":[1],"":0,"valu":2}"""),
        ("""{"type":"object","properties":{"id":{"type":"integer"},"idx":{"enum":["a","b"]}},"additionalProperties":{"type":"integer"},"required":["id"]}""",
         """{"id":2,"idx":"a","i":1,"idxy":3,"d":4}"""),
        ("""{"type":"array","items":{"type":"object","properties":{"key":{"type":"string","minLength":2,"maxLength":5},"keys":{"type":"number"}}}}""",
         """[{"key":"ab","keys":1.5,"ke":{}},{"keys":2,"kéy":""},{"key":"abcde"}]"""),
    ];

    [Fact]
    public void Masks_at_every_byte_agree_with_the_parser()
    {
        var vocab = TokenVocabulary.Tiktoken("o200k_base");
        var rng = new Random(5);
        var byText = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < vocab.TokenCount; id++)
            if (vocab.HasText(id)) byText.TryAdd(Convert.ToHexString(vocab[id]), id);
        foreach (var (schema, instance) in Cases)
        {
            var grammar = JsonSchema.Compile(schema);
            var masker = new TokenMasker(grammar, vocab);
            var mask = new uint[masker.MaskWords];
            var bytes = Encoding.UTF8.GetBytes(instance);
            Assert.True(grammar.Accepts(bytes), instance);
            for (int cut = 0; cut <= bytes.Length; cut++)
            {
                var state = grammar.Parse(bytes.AsSpan(0, cut));
                masker.FillMask(state, mask);
                // Tokens that continue the instance itself, and tokens sampled across the vocabulary.
                var ids = Enumerable.Range(0, 300).Select(_ => rng.Next(vocab.TokenCount)).ToList();
                for (int len = 1; len <= 6 && cut + len <= bytes.Length; len++)
                    if (byText.TryGetValue(Convert.ToHexString(bytes.AsSpan(cut, len)), out int id)) ids.Add(id);
                foreach (int id in ids)
                {
                    if (!vocab.HasText(id)) continue;
                    bool viaParser = state.Advance(vocab[id]).IsViable;
                    Assert.True(((mask[id >> 5] >> (id & 31)) & 1) == (viaParser ? 1u : 0u),
                        $"{instance} after '{Encoding.UTF8.GetString(bytes, 0, cut)}': token '{Encoding.UTF8.GetString(vocab[id])}' parser={viaParser}");
                }
            }
        }
    }
}
