namespace LocalShift.Server;

/// <summary>The command line: <c>localshift serve [options]</c>. Exit codes: 0 clean stop, 1 crash, 2 bad usage or environment.</summary>
public static class Cli
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(ServerOptions.Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version" or "version")
        {
            Console.WriteLine($"localshift {LocalShiftHost.Version}");
            return 0;
        }
        if (args[0] != "serve")
        {
            Console.Error.WriteLine($"localshift: unknown command '{args[0]}'.\n\n{ServerOptions.Usage}");
            return 2;
        }

        ServerOptions options;
        try
        {
            var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
            options = ServerOptions.Parse(args[1..], env);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"localshift: {e.Message}\n\nRun 'localshift --help' for the options.");
            return 2;
        }

        try
        {
            await using var host = await LocalShiftHost.StartAsync(options, Console.Out);
            await host.WaitForShutdownAsync();
            return 0;
        }
        catch (StartupException e)
        {
            Console.Error.WriteLine($"localshift: {e.Message}");
            return 2;
        }
    }
}

/// <summary>A reason the server cannot start that the user can fix (port taken, data dir unusable).</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
