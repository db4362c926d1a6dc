namespace Prison.Core.Threading;

/// <summary>
/// Disposable holders for <see cref="ReaderWriterLockSlim"/>, as <see cref="Lock.EnterScope"/> is for
/// <see cref="Lock"/>: <c>using (x.EnterReadScope()) { ... }</c> replaces an enter / try / finally / exit
/// block, so a lock is never left held on an early return or an exception. The lock key is docs/locking.md.
/// </summary>
internal static class ReaderWriterLockScopes
{
    /// <summary>Enters the read lock; disposing the holder exits it.</summary>
    public static ReadScope EnterReadScope(this ReaderWriterLockSlim rwlock)
    {
        rwlock.EnterReadLock();
        return new ReadScope(rwlock);
    }

    /// <summary>Enters the write lock; disposing the holder exits it.</summary>
    public static WriteScope EnterWriteScope(this ReaderWriterLockSlim rwlock)
    {
        rwlock.EnterWriteLock();
        return new WriteScope(rwlock);
    }

    /// <summary>A held read lock (a ref struct: it cannot outlive the method that took it).</summary>
    public readonly ref struct ReadScope(ReaderWriterLockSlim rwlock)
    {
        /// <summary>Exits the read lock.</summary>
        public void Dispose() => rwlock.ExitReadLock();
    }

    /// <summary>A held write lock (a ref struct: it cannot outlive the method that took it).</summary>
    public readonly ref struct WriteScope(ReaderWriterLockSlim rwlock)
    {
        /// <summary>Exits the write lock.</summary>
        public void Dispose() => rwlock.ExitWriteLock();
    }
}
