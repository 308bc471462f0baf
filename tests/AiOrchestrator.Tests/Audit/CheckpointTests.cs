using System.Security.Cryptography;
using AiOrchestrator.Audit;

namespace AiOrchestrator.Tests.Audit;

public class CheckpointTests
{
    private static readonly byte[] Root = SHA256.HashData("root"u8);
    private static readonly DateTimeOffset At = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_checkpoint_verifies_with_its_public_key_in_text_and_json()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(key.ExportSubjectPublicKeyInfoPem());
        var checkpoint = AuditCheckpoint.Sign("billing-eu", 1234, Root, At, key);

        checkpoint.Verify(publicKey, out var failure).Should().Be(AuditCheckpointStatus.Valid);
        failure.Should().BeNull();
        foreach (var form in new[] { checkpoint.ToText(), checkpoint.ToJson() })
        {
            var back = AuditCheckpoint.Parse(form);
            back.Verify(publicKey, out _).Should().Be(AuditCheckpointStatus.Valid);
            back.TreeSize.Should().Be(1234);
            back.LogId.Should().Be("billing-eu");
            back.RootHash.ToArray().Should().Equal(Root);
            back.Time.Should().Be(At);
            back.ToText().Should().Be(checkpoint.ToText());
        }

        checkpoint.ToText().Should().StartWith("aiorchestrator audit checkpoint v1\nlog billing-eu\nsize 1234\n");
    }

    [Fact]
    public void A_checkpoint_signed_by_another_key_is_rejected_with_that_reason()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var checkpoint = AuditCheckpoint.Sign("audit", 10, Root, At, other);

        checkpoint.Verify(key, out var failure).Should().Be(AuditCheckpointStatus.SignedByAnotherKey);
        failure.Should().Contain("signed by another key").And.Contain(AuditCheckpoint.KeyIdOf(other)).And.Contain(AuditCheckpoint.KeyIdOf(key));
    }

    [Fact]
    public void Every_tampered_field_breaks_the_signature()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var text = AuditCheckpoint.Sign("audit", 10, Root, At, key).ToText();
        var lines = text.Split('\n');
        var tampered = new[]
        {
            text.Replace("size 10", "size 9", StringComparison.Ordinal),
            text.Replace("log audit", "log audit2", StringComparison.Ordinal),
            text.Replace(lines[3], "root " + Convert.ToBase64String(SHA256.HashData("other"u8)), StringComparison.Ordinal),
            text.Replace("2026-12-03T09:00:00", "2026-12-04T09:00:00", StringComparison.Ordinal),
            text.Replace(lines[6], "signature " + Convert.ToBase64String(Flip(Convert.FromBase64String(lines[6]["signature ".Length..]))), StringComparison.Ordinal),
        };
        foreach (var changed in tampered)
        {
            changed.Should().NotBe(text);
            AuditCheckpoint.Parse(changed).Verify(key, out var failure).Should().Be(AuditCheckpointStatus.BadSignature, changed);
            failure.Should().Contain("signature does not match");
        }

        // Naming another key id does not help: the key id is signed too, and the key given decides.
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        AuditCheckpoint.Parse(text.Replace(lines[5], "key " + AuditCheckpoint.KeyIdOf(other), StringComparison.Ordinal)).Verify(key, out _)
            .Should().Be(AuditCheckpointStatus.SignedByAnotherKey);
    }

    [Fact]
    public void Bad_checkpoints_and_keys_are_reported_without_throwing()
    {
        foreach (var garbage in new[] { "", "{}", "{\"log\":1}", "aiorchestrator audit checkpoint v1\nlog a\n", "not a checkpoint", "{\"log\":\"a\",\"size\":1,\"root\":\"AA==\",\"time\":\"x\",\"key\":\"k\",\"signature\":\"AA==\"}" })
        {
            AuditCheckpoint.TryParse(garbage, out var checkpoint, out var error).Should().BeFalse(garbage);
            checkpoint.Should().BeNull();
            error.Should().NotBeNullOrEmpty();
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        AuditCheckpoint.Sign("audit", 1, Root, At, key).Verify(p384, out var why).Should().Be(AuditCheckpointStatus.Malformed);
        why.Should().Contain("P-256");
        FluentActions.Invoking(() => AuditCheckpoint.Sign("audit", 1, Root, At, p384)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => AuditCheckpoint.Sign("two words", 1, Root, At, key)).Should().Throw<ArgumentException>();
    }

    private static byte[] Flip(byte[] bytes)
    {
        bytes[10] ^= 0x40;
        return bytes;
    }
}
