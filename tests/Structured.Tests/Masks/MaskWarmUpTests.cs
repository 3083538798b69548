using Structured.Masks;

namespace Structured.Tests.Masks;

/// <summary>
/// The first masker of a process warms the mask code up on a toy vocabulary. The warm-up checks its own masks against
/// the instance it feeds, so it must pass through every lexeme of its schema with every token allowed.
/// </summary>
public class MaskWarmUpTests
{
    [Fact]
    public void The_warm_up_masks_its_whole_instance_and_allows_every_token()
    {
        // One mask per token and one for the end; the instance is 70 bytes, and its toy tokens are mostly longer than one.
        int masks = MaskWarmUp.Run();
        Assert.InRange(masks, 20, 71);
    }
}
