namespace LocalShift.Policy.Matching;

/// <summary>Positions of the first five colons of an ARN: partition, service, region, account, resource.</summary>
public readonly struct ArnSplit
{
    private readonly string value;
    private readonly int c1, c2, c3, c4, c5;

    public ArnSplit(string value)
    {
        this.value = value;
        c1 = c2 = c3 = c4 = c5 = -1;
        if (!value.StartsWith("arn:", StringComparison.Ordinal)) return;
        c1 = 3;
        c2 = value.IndexOf(':', c1 + 1);
        if (c2 < 0) { c1 = -1; return; }
        c3 = value.IndexOf(':', c2 + 1);
        if (c3 < 0) { c1 = -1; return; }
        c4 = value.IndexOf(':', c3 + 1);
        if (c4 < 0) { c1 = -1; return; }
        c5 = value.IndexOf(':', c4 + 1);
        if (c5 < 0) c1 = -1;
    }

    public string Value => value;

    /// <summary>True when the text has the six ARN parts.</summary>
    public bool IsArn => c1 > 0;

    /// <summary>0 = "arn", 1 = partition, 2 = service, 3 = region, 4 = account, 5 = resource (may contain ':' and '/').</summary>
    public ReadOnlySpan<char> Segment(int index) => index switch
    {
        0 => value.AsSpan(0, 3),
        1 => value.AsSpan(c1 + 1, c2 - c1 - 1),
        2 => value.AsSpan(c2 + 1, c3 - c2 - 1),
        3 => value.AsSpan(c3 + 1, c4 - c3 - 1),
        4 => value.AsSpan(c4 + 1, c5 - c4 - 1),
        _ => value.AsSpan(c5 + 1),
    };
}
