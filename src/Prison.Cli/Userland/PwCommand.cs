using System.Globalization;
using Prison.Cli.Shell;
using Prison.Core;
using Prison.Core.Procs;

namespace Prison.Cli.Userland;

/// <summary>pw(8): users and groups of the caller's jail (<c>useradd</c>, <c>groupadd</c>, <c>usershow</c>).</summary>
internal static class PwCommand
{
    private const string UsageText = "pw useradd name [-u uid] [-g group] | pw groupadd name [-g gid] | pw usershow name";

    public static int Run(CommandContext context)
    {
        if (context.Args.Count < 2)
            return context.Usage(UsageText);
        var verb = context.Args[0];
        var name = context.Args[1];
        var options = Getopt.Parse(context.Args.Skip(2).ToArray(), "u:g:", allowJson: false, out var error);
        if (options is null)
            return context.BadOption(error!);
        if (options.Operands.Count > 0)
            return context.Usage(UsageText);
        if (!IsValidName(name))
            return context.Fail($"invalid user name `{CommandLineParser.Printable(name)}'", 65);
        var users = context.Shell.Users;
        var jail = context.Proc.Jail;
        switch (verb)
        {
            case "usershow":
                if (users.FindUser(jail, name) is not { } u)
                    return context.Fail($"no such user `{name}'", 67);
                context.Out.WriteLine($"{u.Name}:*:{u.Uid}:{u.Gid}::0:0:User &:/home/{u.Name}:/bin/sh");
                return 0;
            case "useradd":
            case "groupadd":
                break;
            default:
                return context.Fail($"unknown command `{CommandLineParser.Printable(verb)}'", 64);
        }
        // pw.c checks getuid() itself: the password files are the jail's own, writable by its root only.
        // No kernel privilege is involved (a jail's root administers its own users).
        if (!context.Proc.Cred.IsRoot)
            return context.Fail("you must be root to run this program", 77);
        if (verb == "groupadd")
        {
            if (options.Has('u'))
                return context.Usage(UsageText);
            if (PickId(context, options.Value('g'), "gid", users.FindGroup, jail, out var status) is not { } gid)
                return status;
            var failed = users.AddGroup(jail, name, gid);
            return failed is null ? 0 : context.Fail(failed, 65);
        }
        if (PickId(context, options.Value('u'), "uid", users.FindUser, jail, out var uidStatus) is not { } uid)
            return uidStatus;
        uint? groupId = null;
        if (options.Value('g') is { } group)
        {
            if (users.FindGroup(jail, group) is { } byName)
                groupId = byName.Gid;
            else if (TryId(group, out var gNumber) && users.FindGroup(jail, gNumber) is not null)
                groupId = gNumber;
            else
                return context.Fail($"group `{CommandLineParser.Printable(group)}' does not exist", 67);
        }
        var error2 = users.AddUser(jail, name, uid, groupId);
        return error2 is null ? 0 : context.Fail(error2, 65);
    }

    /// <summary>
    /// The id of -u or -g: <paramref name="text"/> as given, or with none pw(8)'s next free id. Null, with
    /// EX_DATAERR (65) in <paramref name="status"/> after the message, when the text is not an id.
    /// </summary>
    private static uint? PickId<T>(CommandContext context, string? text, string what, Func<Prison.Core.Jails.Jail, uint, T?> find, Prison.Core.Jails.Jail jail, out int status) where T : class
    {
        status = 0;
        if (text is null)
            return NextFree(find, jail);
        if (TryId(text, out var id))
            return id;
        status = context.Fail($"invalid {what} `{CommandLineParser.Printable(text)}'", 65);
        return null;
    }

    private static uint NextFree<T>(Func<Prison.Core.Jails.Jail, uint, T?> find, Prison.Core.Jails.Jail jail) where T : class
    {
        // pw(8)'s default range starts at 1000.
        var id = 1000u;
        while (find(jail, id) is not null)
            id++;
        return id;
    }

    private static bool TryId(string text, out uint id) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id != uint.MaxValue;

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 32 && name[0] != '-' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
