using LocalShift.Server;

return await Cli.RunAsync(args);
