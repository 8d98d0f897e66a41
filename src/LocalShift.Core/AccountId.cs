namespace LocalShift.Core;

public static class AccountId
{
    /// <summary>AWS account ids are exactly twelve decimal digits.</summary>
    public static bool IsValid(string? id) => id is { Length: 12 } && id.All(char.IsAsciiDigit);
}
