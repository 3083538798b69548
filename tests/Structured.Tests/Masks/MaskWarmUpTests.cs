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
        // One mask per token and one for the end: the instance is 73 bytes, and some of its toy tokens are longer than one.
        int masks = MaskWarmUp.Run();
        Assert.InRange(masks, 20, 73);
    }
}
