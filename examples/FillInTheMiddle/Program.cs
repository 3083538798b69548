using Structured;
using Structured.Torch;

using var model = DefaultModel.Load();
var sql = Constraint.Lark(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "sql.lark")));

// The text before and after the cursor is fixed; the model writes only the middle, and may stop only where
// prefix + middle + suffix is a whole SQL statement. The prefix ends inside a name ("ag"), which is fine.
const string prefix = "SELECT name, ag", suffix = " FROM users ORDER BY name;";
var middle = await model.GenerateMiddleAsync(prefix, suffix, sql, new GenerationOptions { Seed = 4, MaxTokens = 48 });
Console.WriteLine($"lcd: {prefix}[{middle.Text}]{suffix} ({middle.FinishReason.ToString().ToLowerInvariant()})");

// SMC keeps the model's own distribution over middles, conditioned on the whole text being valid.
var smc = await model.GenerateMiddleAsync(prefix, suffix, sql, new GenerationOptions { Sampler = SamplerKind.Smc, Particles = 8, Seed = 4, MaxTokens = 48 });
Console.WriteLine($"smc: {prefix}[{smc.Text}]{suffix} log Z = {smc.LogMarginalLikelihood:F2}");

// The same constraint checks middles without a model: here for Lua, where the suffix closes a function body.
var lua = Constraint.Lark(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "lua.lark")));
var gap = Constraint.Middle(lua, "local function area(w, h)\n  return w", "\nend\nprint(area(2, 3))\n");
foreach (var candidate in new[] { " * h", " * (h", " * h end", "" })
    Console.WriteLine($"lua middle \"{candidate}\": {(gap.Accepts(candidate) ? "fits" : "does not fit")}");
