using System.Text;
using ShippyarDr.Leftovers;

namespace ShippyarDr.Core.Tests;

public sealed class RunNamingTests
{
    [Fact]
    public void Names_carry_the_token_stay_within_63_bytes_and_parse_back()
    {
        var token = RunNaming.NewToken();
        Assert.Matches("^[0-9a-f]{12}$", token);
        Assert.NotEqual(token, RunNaming.NewToken());
        foreach (var kind in new[] { LeftoverKind.Staging, LeftoverKind.Scratch, LeftoverKind.Replaced })
        {
            var name = RunNaming.DatabaseName(kind, token, "20261125-040512D-7f3a" + new string('x', 80));
            Assert.True(Encoding.UTF8.GetByteCount(name) <= 63, name);
            Assert.Matches("^shippyar_[a-z]+_[0-9a-f]{12}_20261125_040512d_7f3ax+$", name);
            Assert.Equal((kind, (string?)token), RunNaming.Parse(name));
        }
        Assert.Equal("shippyar_verify_" + token + "_20261125_040512d_7f3a_2", RunNaming.DatabaseName(LeftoverKind.Scratch, token, "20261125-040512D-7f3a_2"));
    }

    [Fact]
    public void Names_from_before_tokens_are_ours_without_a_token_and_other_names_are_not()
    {
        Assert.Equal((LeftoverKind.Replaced, (string?)null), RunNaming.Parse("shippyar_replaced_20261125_040512d_7f3a"));
        Assert.Equal((LeftoverKind.Staging, (string?)null), RunNaming.Parse("shippyar_restore_20261125_040512d_7f3a"));
        Assert.Null(RunNaming.Parse("shippyar"));
        Assert.Null(RunNaming.Parse("shippyar_prod"));
    }

    [Fact]
    public void The_note_gives_back_backup_and_target_even_when_the_target_holds_the_separator()
    {
        var note = RunNaming.Note(LeftoverKind.Replaced, "0123456789ab", "20261125-040512D-7f3a", "odd | name 'x'");
        Assert.Equal(("20261125-040512D-7f3a", "odd | name 'x'"), RunNaming.ParseNote(note));
        Assert.Equal(("20261125-040512D-7f3a", (string?)null), RunNaming.ParseNote(RunNaming.Note(LeftoverKind.Scratch, "0123456789ab", "20261125-040512D-7f3a", null)));
        Assert.Equal(((string?)null, (string?)null), RunNaming.ParseNote("a DBA's own comment"));
        Assert.Equal("0123456789ab", RunNaming.TokenOfApplicationName(RunNaming.ApplicationName("0123456789ab")));
        Assert.Null(RunNaming.TokenOfApplicationName("ShippyarDr"));
        Assert.Null(RunNaming.TokenOfApplicationName("psql"));
    }
}
