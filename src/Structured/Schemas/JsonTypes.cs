namespace Structured.Schemas;

/// <summary>JSON value kinds as JSON Schema sees them; "number" is <see cref="Integer"/> or <see cref="Fraction"/>.</summary>
[Flags]
internal enum JsonTypes
{
    Null = 1,
    Boolean = 2,
    Object = 4,
    Array = 8,
    String = 16,
    Integer = 32,
    Fraction = 64,
    Number = Integer | Fraction,
    All = Null | Boolean | Object | Array | String | Number,
}
