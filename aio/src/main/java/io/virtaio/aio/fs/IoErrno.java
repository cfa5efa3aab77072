package io.virtaio.aio.fs;

import io.virtaio.netstack.Errno;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The errno a host I/O failure corresponds to. The JDK reports most errors as exceptions whose message is the
 * strerror text, so the text is matched after the exception type; anything unknown becomes EIO.
 */
public final class IoErrno {
    private IoErrno() {
    }

    /** The errno for {@code t} thrown by a file operation. */
    public static int of(Throwable t) {
        if (t instanceof AsynchronousCloseException) {
            return Errno.ECANCELED;
        }
        if (t instanceof ClosedChannelException || t instanceof NonReadableChannelException
                || t instanceof NonWritableChannelException) {
            return Errno.EBADF;
        }
        if (t instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (t instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        if (t instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (t instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        if (t instanceof InvalidPathException || t instanceof IllegalArgumentException) {
            return Errno.EINVAL;
        }
        if (t instanceof IllegalStateException || t instanceof WrongThreadException
                || t instanceof IndexOutOfBoundsException) {
            // A buffer whose arena was closed, that is confined to another thread, or too small: a bad address.
            return Errno.EFAULT;
        }
        if (t instanceof OutOfMemoryError) {
            return Errno.ENOMEM;
        }
        String text = t instanceof FileSystemException fse ? fse.getReason() : t.getMessage();
        return text == null ? Errno.EIO : fromText(text);
    }

    private static int fromText(String text) {
        if (text.endsWith("Is a directory")) {
            return Errno.EISDIR;
        }
        if (text.endsWith("Not a directory")) {
            return Errno.ENOTDIR;
        }
        if (text.endsWith("No space left on device")) {
            return Errno.ENOSPC;
        }
        if (text.endsWith("Read-only file system")) {
            return Errno.EROFS;
        }
        if (text.endsWith("File too large")) {
            return Errno.EFBIG;
        }
        if (text.endsWith("Illegal seek")) {
            return Errno.ESPIPE;
        }
        if (text.endsWith("Permission denied")) {
            return Errno.EACCES;
        }
        if (text.endsWith("Operation not permitted")) {
            return Errno.EPERM;
        }
        if (text.endsWith("Invalid argument")) {
            return Errno.EINVAL;
        }
        if (text.endsWith("Bad file descriptor")) {
            return Errno.EBADF;
        }
        if (text.endsWith("Broken pipe")) {
            return Errno.EPIPE;
        }
        if (text.endsWith("Too many open files")) {
            return Errno.EMFILE;
        }
        if (text.endsWith("No such file or directory")) {
            return Errno.ENOENT;
        }
        if (text.endsWith("File exists")) {
            return Errno.EEXIST;
        }
        return Errno.EIO;
    }
}
