using System.Text;
using System.Text.Json;

namespace Structured.Models;

/// <summary>One message of a conversation, as a chat template sees it.</summary>
/// <param name="Role">"system", "user", "assistant" or "tool".</param>
/// <param name="Content">The message text.</param>
public readonly record struct ChatTurn(string Role, string Content);

/// <summary>
/// Turns chat messages into the prompt text a model was trained on. Model folders name their template in
/// <c>tokenizer_config.json</c> as Jinja source; rather than run Jinja, <see cref="FromModelFolder"/> recognises
/// the families this SDK loads (Llama 3, ChatML as used by Qwen2, Mistral's <c>[INST]</c>) by their markers and
/// renders them natively. The beginning-of-sequence token is left to <see cref="ILanguageModel.EncodePrompt"/>.
/// </summary>
public abstract class ChatTemplate
{
    /// <summary>The template's name: plain, llama3, chatml or mistral.</summary>
    public abstract string Name { get; }

    /// <summary>Renders the conversation and opens the assistant's turn, so that the model's next token starts the reply.</summary>
    public abstract string Render(IReadOnlyList<ChatTurn> turns);

    /// <summary>Messages separated by blank lines, with no markers: for base models such as the embedded one.</summary>
    public static ChatTemplate Plain { get; } = new PlainTemplate();

    /// <summary>Llama 3's header and <c>&lt;|eot_id|&gt;</c> markers.</summary>
    public static ChatTemplate Llama3 { get; } = new Llama3Template();

    /// <summary>ChatML (<c>&lt;|im_start|&gt;</c>), the template of Qwen2; <paramref name="defaultSystem"/> is added when the conversation has no system message.</summary>
    public static ChatTemplate ChatMl(string? defaultSystem = null) => new ChatMlTemplate(defaultSystem);

    /// <summary>Mistral's <c>[INST] … [/INST]</c> turns; a system message is put before the first user message.</summary>
    public static ChatTemplate Mistral { get; } = new MistralTemplate();

    /// <summary>
    /// The template of a Hugging Face model folder, from the <c>chat_template</c> of its <c>tokenizer_config.json</c>
    /// (or <c>chat_template.json</c>); <see cref="Plain"/> when the folder has none or one of an unknown family.
    /// </summary>
    public static ChatTemplate FromModelFolder(string directory)
    {
        foreach (var file in new[] { "tokenizer_config.json", "chat_template.json" })
        {
            string path = Path.Combine(directory, file);
            if (!File.Exists(path)) continue;
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("chat_template", out var t))
                {
                    // Some folders list several named templates; the "default" one is the chat template.
                    string? source = t.ValueKind == JsonValueKind.String ? t.GetString()
                        : t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Where(e => e.TryGetProperty("name", out var n) && n.GetString() == "default")
                            .Select(e => e.GetProperty("template").GetString()).FirstOrDefault()
                        : null;
                    if (source is not null) return FromSource(source);
                }
            }
            catch (JsonException e)
            {
                throw new ModelLoadException($"{path}: not valid JSON ({e.Message})", path);
            }
        }
        return Plain;
    }

    /// <summary>Recognises a Jinja chat template by its markers; <see cref="Plain"/> for an unknown family.</summary>
    public static ChatTemplate FromSource(string jinja)
    {
        ArgumentNullException.ThrowIfNull(jinja);
        if (jinja.Contains("<|start_header_id|>", StringComparison.Ordinal)) return Llama3;
        if (jinja.Contains("<|im_start|>", StringComparison.Ordinal))
        {
            const string QwenDefault = "You are a helpful assistant.";
            return ChatMl(jinja.Contains(QwenDefault, StringComparison.Ordinal) ? QwenDefault : null);
        }
        if (jinja.Contains("[INST]", StringComparison.Ordinal)) return Mistral;
        return Plain;
    }

    private sealed class PlainTemplate : ChatTemplate
    {
        public override string Name => "plain";

        public override string Render(IReadOnlyList<ChatTurn> turns) => string.Join("\n\n", turns.Select(t => t.Content)) + (turns.Count == 0 ? "" : "\n");
    }

    private sealed class Llama3Template : ChatTemplate
    {
        public override string Name => "llama3";

        public override string Render(IReadOnlyList<ChatTurn> turns)
        {
            var sb = new StringBuilder();
            foreach (var t in turns) sb.Append("<|start_header_id|>").Append(t.Role).Append("<|end_header_id|>\n\n").Append(t.Content.Trim()).Append("<|eot_id|>");
            return sb.Append("<|start_header_id|>assistant<|end_header_id|>\n\n").ToString();
        }
    }

    private sealed class ChatMlTemplate(string? defaultSystem) : ChatTemplate
    {
        public override string Name => "chatml";

        public override string Render(IReadOnlyList<ChatTurn> turns)
        {
            var sb = new StringBuilder();
            if (defaultSystem is not null && (turns.Count == 0 || turns[0].Role != "system"))
                sb.Append("<|im_start|>system\n").Append(defaultSystem).Append("<|im_end|>\n");
            foreach (var t in turns) sb.Append("<|im_start|>").Append(t.Role).Append('\n').Append(t.Content).Append("<|im_end|>\n");
            return sb.Append("<|im_start|>assistant\n").ToString();
        }
    }

    private sealed class MistralTemplate : ChatTemplate
    {
        public override string Name => "mistral";

        public override string Render(IReadOnlyList<ChatTurn> turns)
        {
            var sb = new StringBuilder();
            string? system = null;
            foreach (var t in turns)
            {
                switch (t.Role)
                {
                    case "system":
                        system = system is null ? t.Content : system + "\n\n" + t.Content;
                        break;
                    case "assistant":
                        sb.Append(' ').Append(t.Content.Trim()).Append("</s>");
                        break;
                    default:
                        string content = system is null ? t.Content : system + "\n\n" + t.Content;
                        system = null;
                        sb.Append("[INST] ").Append(content.Trim()).Append(" [/INST]");
                        break;
                }
            }
            return sb.ToString();
        }
    }
}
