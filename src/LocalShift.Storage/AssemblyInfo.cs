using System.Runtime.CompilerServices;

// The tests fix internal schedules (DigestSchedule) that production measures.
[assembly: InternalsVisibleTo("LocalShift.Storage.Tests")]
