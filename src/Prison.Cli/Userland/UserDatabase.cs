using Prison.Core.Jails;

namespace Prison.Cli.Userland;

/// <summary>A passwd entry.</summary>
internal sealed record UserEntry(string Name, uint Uid, uint Gid);

/// <summary>A group entry.</summary>
internal sealed record GroupEntry(string Name, uint Gid);

/// <summary>
/// The passwd and group databases of every jail, as the userland keeps them (FreeBSD keeps them in each
/// jail's own <c>/etc</c>). Each jail starts with <c>root</c> (uid 0) and <c>wheel</c> (gid 0). Keyed by
/// the jail object, so a new jail that reuses a name or jid starts afresh.
/// </summary>
/// <remarks>Locking: <c>_lock</c> protects <c>_byJail</c> and every per-jail list in it.</remarks>
internal sealed class UserDatabase
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Jail, (List<UserEntry> Users, List<GroupEntry> Groups)> _byJail = [];

    /// <summary>The user called <paramref name="name"/> in <paramref name="jail"/>.</summary>
    public UserEntry? FindUser(Jail jail, string name) => First(jail, db => db.Users, u => u.Name == name);

    /// <summary>The first user with <paramref name="uid"/> in <paramref name="jail"/>.</summary>
    public UserEntry? FindUser(Jail jail, uint uid) => First(jail, db => db.Users, u => u.Uid == uid);

    /// <summary>The group called <paramref name="name"/>.</summary>
    public GroupEntry? FindGroup(Jail jail, string name) => First(jail, db => db.Groups, g => g.Name == name);

    /// <summary>The first group with <paramref name="gid"/>.</summary>
    public GroupEntry? FindGroup(Jail jail, uint gid) => First(jail, db => db.Groups, g => g.Gid == gid);

    /// <summary>The first entry of one of the jail's files (passwd or group) that matches, under the lock.</summary>
    private T? First<T>(Jail jail, Func<(List<UserEntry> Users, List<GroupEntry> Groups), List<T>> file, Func<T, bool> match) where T : class
    {
        lock (_lock)
            return file(Db(jail)).FirstOrDefault(match);
    }

    /// <summary>The user's name, or the number when the jail cannot name it (as user_from_uid(3)).</summary>
    public string UserName(Jail jail, uint uid) => FindUser(jail, uid)?.Name ?? uid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The group's name, or the number.</summary>
    public string GroupName(Jail jail, uint gid) => FindGroup(jail, gid)?.Name ?? gid.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Adds a user; with no <paramref name="gid"/> a group of the same name is created with gid = uid
    /// (pw(8)'s default). Returns an error message, or null. Nothing changes on error.
    /// </summary>
    public string? AddUser(Jail jail, string name, uint uid, uint? gid)
    {
        lock (_lock)
        {
            var db = Db(jail);
            if (db.Users.Any(u => u.Name == name))
                return $"login name `{name}' already exists";
            if (db.Users.Any(u => u.Uid == uid))
                return $"uid `{uid}' has already been allocated";
            if (gid is { } g)
            {
                if (!db.Groups.Any(x => x.Gid == g))
                    return $"group `{g}' does not exist";
                db.Users.Add(new UserEntry(name, uid, g));
                return null;
            }
            if (db.Groups.Any(x => x.Name == name))
                return $"group name `{name}' already exists";
            var newGid = db.Groups.Any(x => x.Gid == uid) ? db.Groups.Max(x => x.Gid) + 1 : uid;
            db.Groups.Add(new GroupEntry(name, newGid));
            db.Users.Add(new UserEntry(name, uid, newGid));
            return null;
        }
    }

    /// <summary>Adds a group; returns an error message, or null.</summary>
    public string? AddGroup(Jail jail, string name, uint gid)
    {
        lock (_lock)
        {
            var db = Db(jail);
            if (db.Groups.Any(g => g.Name == name))
                return $"group name `{name}' already exists";
            if (db.Groups.Any(g => g.Gid == gid))
                return $"gid `{gid}' has already been allocated";
            db.Groups.Add(new GroupEntry(name, gid));
            return null;
        }
    }

    /// <summary>Every user of the jail, in uid order.</summary>
    public IReadOnlyList<UserEntry> Users(Jail jail)
    {
        lock (_lock)
            return Db(jail).Users.OrderBy(u => u.Uid).ToArray();
    }

    private (List<UserEntry> Users, List<GroupEntry> Groups) Db(Jail jail)
    {
        if (!_byJail.TryGetValue(jail, out var db))
        {
            db = ([new UserEntry("root", 0, 0)], [new GroupEntry("wheel", 0)]);
            _byJail[jail] = db;
        }
        return db;
    }
}
