namespace Structured.Schemas;

/// <summary>
/// A schema that cannot be read or compiled: invalid JSON, an unresolvable reference, a keyword that cannot be
/// enforced exactly, or a compile limit. <see cref="Pointer"/> names the place in the schema.
/// </summary>
public sealed class SchemaException : GrammarException
{
    /// <summary>Creates an error at a JSON pointer in the schema.</summary>
    public SchemaException(string pointer, string reason) : base($"{(pointer.Length == 0 ? "#" : pointer)}: {reason}")
    {
        Pointer = pointer.Length == 0 ? "#" : pointer;
        SchemaReason = reason;
    }

    /// <summary>Creates an error with no details.</summary>
    public SchemaException() : this("#", "invalid schema") { }

    /// <summary>Creates an error at the schema root.</summary>
    public SchemaException(string reason) : this("#", reason) { }

    /// <summary>Creates an error at the schema root, with an inner cause.</summary>
    public SchemaException(string reason, Exception inner) : base(reason, inner)
    {
        Pointer = "#";
        SchemaReason = reason;
    }

    /// <summary>The JSON pointer (as a URI fragment, <c>#/properties/a</c>) of the subschema at fault.</summary>
    public string Pointer { get; }

    /// <summary>The cause, without the pointer.</summary>
    public string SchemaReason { get; }
}
