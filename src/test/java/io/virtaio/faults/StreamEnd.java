package io.virtaio.faults;

import static io.virtaio.netstack.Errno.EINPROGRESS;

import io.virtaio.aio.posix.Aio;
import io.virtaio.aio.posix.aiocb;
import io.virtaio.aio.posix.sigevent;
import io.virtaio.netstack.Errno;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * One end of a byte stream in each direction over a connected TCP socket, driven through the POSIX façade: it keeps
 * {@link #DEPTH} aio_writes of seeded pseudo-random payload and up to {@link #DEPTH} aio_reads in flight, reaps them
 * in submission order by polling aio_error, and hashes what it sent and what it received with SHA-256.
 *
 * <p>Every completion is recorded with its virtual time ({@link #completions()}). With {@code threadNotify} each
 * aiocb carries a SIGEV_THREAD notification (run inline on the simulation thread) that counts itself and checks that
 * the status it announces is already visible; otherwise SIGEV_NONE. {@link #problems()} lists every broken promise
 * seen: a notification before the status, a second notification, a submission refused.
 *
 * <p>A stream stops submitting after the first error of its direction; {@link #settled()} says that nothing it
 * submitted is still in progress and it will submit nothing more.
 */
final class StreamEnd {
    /** Requests in flight per direction. */
    static final int DEPTH = 3;
    /** Writes are 1 .. MAX_WRITE bytes, drawn from the seed. */
    static final int MAX_WRITE = 48 * 1024;
    /** Size of each read buffer. */
    static final int READ_SIZE = 32 * 1024;

    /** What one aiocb reported, reaped at {@code atNs}. */
    record Completion(boolean write, long atNs, int error, long ret, long nbytes) {
        @Override
        public String toString() {
            return (write ? "write" : "read") + "@" + atNs + "=" + (error == 0 ? Long.toString(ret)
                    : Errno.name(error));
        }
    }

    private final String name;
    private final Aio aio;
    private final boolean threadNotify;
    private final int fd;
    private final long toSend;
    private final long toReceive;
    private final SplittableRandom payload;
    private final MessageDigest sentDigest = sha256();
    private final MessageDigest receivedDigest = sha256();
    private final byte[] scratch = new byte[MAX_WRITE];
    private final Direction out;
    private final Direction in;
    private final List<Completion> completions = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private long queuedBytes;
    private long writtenBytes;
    private long receivedBytes;
    private long readCapacity;
    private boolean endOfStream;
    private String sentHash;
    private String receivedHash;
    private long notifications;
    private long submissions;

    /** The aiocbs of one direction, a ring reaped from its head. */
    private final class Direction {
        final boolean write;
        final aiocb[] cbs = new aiocb[DEPTH];
        final long[] notified = new long[DEPTH];
        final long[] reaped = new long[DEPTH];
        int head;
        int count;
        int error;

        Direction(boolean write, IntFunction<MemorySegment> buffers, boolean threadNotify) {
            this.write = write;
            for (int i = 0; i < DEPTH; i++) {
                aiocb cb = new aiocb(fd, buffers.apply(write ? MAX_WRITE : READ_SIZE), 0, 0);
                int slot = i;
                if (threadNotify) {
                    cb.aio_sigevent.set(sigevent.thread(v -> onNotify(this, slot), null));
                }
                cbs[i] = cb;
            }
        }

        boolean stopped() {
            return error != 0 || (!write && endOfStream);
        }
    }

    /**
     * @param toSend    bytes this end writes
     * @param toReceive bytes the peer writes to this end
     * @param seed      the payload's seed: the peer's digest of what it received must match this end's
     * @param buffers   allocates an aio_buf of the given size (the runtime's native memory)
     */
    StreamEnd(String name, Aio aio, int fd, long toSend, long toReceive, long seed, boolean threadNotify,
              IntFunction<MemorySegment> buffers) {
        this.name = name;
        this.aio = aio;
        this.fd = fd;
        this.toSend = toSend;
        this.toReceive = toReceive;
        this.threadNotify = threadNotify;
        this.payload = new SplittableRandom(seed);
        this.out = new Direction(true, buffers, threadNotify);
        this.in = new Direction(false, buffers, threadNotify);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** A SIGEV_THREAD notification; POSIX: the status is published before the notification fires. */
    private void onNotify(Direction d, int slot) {
        notifications++;
        d.notified[slot]++;
        if (aio.aio_error(d.cbs[slot]) == EINPROGRESS) {
            problems.add(name + ": notified while " + (d.write ? "write" : "read") + " slot " + slot
                    + " is still EINPROGRESS");
        }
    }

    /** Reaps what completed (in submission order) and submits more; called after every simulation round. */
    void pump(long nowNs) {
        reap(out, nowNs);
        reap(in, nowNs);
        submitWrites();
        submitReads();
    }

    private void reap(Direction d, long nowNs) {
        while (d.count > 0) {
            aiocb cb = d.cbs[d.head];
            int error = aio.aio_error(cb);
            if (error == EINPROGRESS) {
                return;
            }
            long ret = aio.aio_return(cb);
            completions.add(new Completion(d.write, nowNs, error, ret, cb.aio_nbytes));
            d.reaped[d.head]++;
            if (d.write) {
                if (error == 0 && ret == cb.aio_nbytes) {
                    writtenBytes += ret;
                } else if (d.error == 0) {
                    // A short write is how POSIX reports an error after some bytes moved: the stream is over.
                    d.error = error != 0 ? error : -1;
                }
            } else {
                readCapacity -= cb.aio_nbytes;
                if (error == 0 && ret > 0) {
                    receivedDigest.update(cb.aio_buf.asSlice(0, ret).toArray(ValueLayout.JAVA_BYTE));
                    receivedBytes += ret;
                } else if (error == 0) {
                    endOfStream = true;
                } else if (d.error == 0) {
                    d.error = error;
                }
            }
            d.head = (d.head + 1) % DEPTH;
            d.count--;
        }
    }

    private void submitWrites() {
        while (!out.stopped() && out.count < DEPTH && queuedBytes < toSend) {
            aiocb cb = out.cbs[(out.head + out.count) % DEPTH];
            int n = (int) Math.min(toSend - queuedBytes, 1 + payload.nextInt(MAX_WRITE));
            for (int i = 0; i < n; i += 8) {
                long word = payload.nextLong();
                for (int j = i; j < Math.min(n, i + 8); j++, word >>>= 8) {
                    scratch[j] = (byte) word;
                }
            }
            MemorySegment.copy(scratch, 0, cb.aio_buf, ValueLayout.JAVA_BYTE, 0, n);
            sentDigest.update(scratch, 0, n);
            cb.aio_nbytes = n;
            if (!submitted(aio.aio_write(cb), "aio_write")) {
                return;
            }
            queuedBytes += n;
            out.count++;
        }
    }

    private void submitReads() {
        // Never ask for more than the peer will send, so that no read is left waiting once the stream is complete.
        while (!in.stopped() && in.count < DEPTH && receivedBytes + readCapacity < toReceive) {
            aiocb cb = in.cbs[(in.head + in.count) % DEPTH];
            cb.aio_nbytes = Math.min(READ_SIZE, toReceive - receivedBytes - readCapacity);
            if (!submitted(aio.aio_read(cb), "aio_read")) {
                return;
            }
            readCapacity += cb.aio_nbytes;
            in.count++;
        }
    }

    private boolean submitted(int rc, String call) {
        if (rc != 0) {
            problems.add(name + ": " + call + " refused: " + Errno.name(aio.errno()));
            out.error = out.error == 0 ? -1 : out.error;
            in.error = in.error == 0 ? -1 : in.error;
            return false;
        }
        submissions++;
        return true;
    }

    /** Both directions are done: every byte written and every byte of the peer's stream received. */
    boolean complete() {
        return writtenBytes == toSend && receivedBytes == toReceive && out.count == 0 && in.count == 0;
    }

    /** Nothing is in progress and nothing more will be submitted (complete, or stopped by errors). */
    boolean settled() {
        return out.count == 0 && in.count == 0 && (writtenBytes == toSend || out.stopped())
                && (receivedBytes == toReceive || in.stopped());
    }

    /** Requests submitted and not yet reaped. */
    int inFlight() {
        return out.count + in.count;
    }

    /** SHA-256 of everything this end submitted for writing, hex. */
    String sentHash() {
        if (sentHash == null && queuedBytes == toSend) {
            sentHash = HexFormat.of().formatHex(sentDigest.digest());
        }
        return sentHash;
    }

    /** SHA-256 of everything received, hex, once the whole stream has arrived. */
    String receivedHash() {
        if (receivedHash == null && receivedBytes == toReceive) {
            receivedHash = HexFormat.of().formatHex(receivedDigest.digest());
        }
        return receivedHash;
    }

    List<Completion> completions() {
        return completions;
    }

    /**
     * Broken promises seen: a notification before its status, refused submissions, and — once the stream has
     * settled — a SIGEV_THREAD request notified other than exactly once.
     */
    List<String> problems() {
        List<String> all = new ArrayList<>(problems);
        for (Direction d : new Direction[] {out, in}) {
            for (int i = 0; threadNotify && i < DEPTH; i++) {
                if (d.notified[i] != d.reaped[i]) {
                    all.add(name + ": " + (d.write ? "write" : "read") + " slot " + i + " notified "
                            + d.notified[i] + " times for " + d.reaped[i] + " completions");
                }
            }
        }
        return all;
    }

    long notifications() {
        return notifications;
    }

    long submissions() {
        return submissions;
    }

    long writtenBytes() {
        return writtenBytes;
    }

    long receivedBytes() {
        return receivedBytes;
    }

    /** The first error of the write direction (errno, or -1 for a short write), 0 if none. */
    int writeError() {
        return out.error;
    }

    /** The first error of the read direction, 0 if none. */
    int readError() {
        return in.error;
    }

    String name() {
        return name;
    }

    int fd() {
        return fd;
    }

    @Override
    public String toString() {
        return name + "[written " + writtenBytes + "/" + toSend + ", received " + receivedBytes + "/" + toReceive
                + ", in flight " + inFlight() + ", errors " + describe(out.error) + "/" + describe(in.error) + "]";
    }

    private static String describe(int error) {
        return error == -1 ? "short" : Errno.name(error);
    }
}
