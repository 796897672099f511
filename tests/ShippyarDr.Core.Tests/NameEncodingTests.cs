using ShippyarDr.Repository;

namespace ShippyarDr.Core.Tests;

/// <summary>Every name PostgreSQL accepts has exactly one key segment, and no segment climbs out of its folder.</summary>
public sealed class NameEncodingTests
{
    [Theory]
    [InlineData("shippyar", "shippyar")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData(".", "%2E")]
    [InlineData("..", "%2E%2E")]
    [InlineData("Sales", "%53ales")]
    [InlineData("_cluster", "_cluster")]
    [InlineData("quo\"te's", "quo%22te%27s")]
    [InlineData("ü", "%C3%BC")]
    [InlineData("%41", "%2541")]
    public void Names_encode_to_one_plain_segment_and_decode_back(string name, string segment)
    {
        Assert.Equal(segment, NameEncoding.Encode(name));
        Assert.Equal(name, NameEncoding.Decode(segment));
        Assert.DoesNotContain('/', segment);
        Assert.NotEqual(".", segment);
        Assert.NotEqual("..", segment);
    }

    [Theory]
    [InlineData("%61")]      // 'a' escaped: not the canonical form
    [InlineData("%2e")]      // lowercase hex
    [InlineData("Sales")]    // an uppercase letter left as is
    [InlineData("a%2")]      // cut escape
    [InlineData("%FF")]      // not UTF-8
    [InlineData("a.b")]      // a dot left as is
    [InlineData("")]
    [InlineData("%00")]      // NUL: no PostgreSQL name holds it
    public void Segments_that_encode_no_name_or_not_canonically_are_refused(string segment)
        => Assert.Null(NameEncoding.Decode(segment));

    [Fact]
    public void Names_are_checked_against_PostgreSQLs_63_bytes()
    {
        Assert.True(DatabaseName.IsValid(new string('x', 63)));
        Assert.False(DatabaseName.IsValid(new string('x', 64)));
        // 22 three-byte characters are 66 bytes: the limit is bytes, not characters.
        Assert.False(DatabaseName.IsValid(new string('数', 22)));
        Assert.Null(NameEncoding.Decode(NameEncoding.Encode(new string('x', 64))));
        Assert.Equal("InvalidDatabaseName", Assert.Throws<Diagnostics.ShippyarException>(() => DatabaseName.Check(new string('x', 64))).ErrorId);
    }
}
