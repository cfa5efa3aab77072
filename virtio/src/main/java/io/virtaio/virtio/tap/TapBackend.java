package io.virtaio.virtio.tap;

import static io.virtaio.virtio.net.VirtioNet.HDR_SIZE;

import io.virtaio.virtio.backend.Backend;
import io.virtaio.virtio.backend.FrameSink;
import io.virtaio.virtio.net.VirtioNet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * The device side of a virtio-net device backed by a Linux TAP interface: frames the device transmits are written
 * into the TAP, and the kernel's stack receives them on that interface; frames the kernel sends out of the interface
 * are read by the backend's reader thread and land in the device's receive path. Each frame crosses with its
 * virtio-net header (Documentation/networking/tuntap.rst, IFF_VNET_HDR), so checksum offload works end to end: a
 * NEEDS_CSUM frame goes to the kernel as it is (tun.c's tun_get_user makes it a CHECKSUM_PARTIAL skb, completed if
 * it is ever forwarded), and with TUN_F_CSUM the kernel may send partial checksums too.
 *
 * <pre>{@code
 * TapBackend tap = TapBackend.open("vtap%d");          // the kernel picks vtap0, vtap1, ...
 * VirtioHost host = new VirtioHost(deviceConfig, driverConfig, stackConfig, tap, System.nanoTime());
 * // ip link set <tap.name()> netns NS; ip -n NS addr add ...; ip -n NS link set <tap.name()> up
 * }</pre>
 *
 * <h2>Set-up ({@link #open})</h2>
 * {@code open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK)}, then {@code TUNSETIFF} with
 * {@code IFF_TAP | IFF_NO_PI | IFF_VNET_HDR} (the kernel writes back the name it chose), {@code TUNSETVNETHDRSZ}
 * 12 (the VERSION_1 header, num_buffers included), {@code TUNSETVNETLE} (headers little-endian, as VERSION_1 wants,
 * whatever the host's order) and {@code TUNSETOFFLOAD} 0. The interface is non-persistent: it disappears when
 * {@link #close()} closes the descriptor.
 *
 * <h2>Offloads</h2>
 * None until the driver negotiates: {@link #featuresNegotiated} then enables exactly what its receive path takes
 * ({@link TapOffloads#forFeatures}: TUN_F_CSUM iff GUEST_CSUM; this device model offers no GUEST_TSO, so no
 * TUN_F_TSO). Without offloads the kernel completes every checksum itself and segments in software.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@link #accept} (and {@link #flush}, {@link #poll}, {@link #txReadyAt}): the device's transmit path, one
 *       thread at a time — the host's loop. Each frame is one non-blocking writev(2): header and frame straight from
 *       where the device holds them (guest memory), no copy on our side. The kernel never blocks a TAP writer, so the
 *       backend is always ready ({@link #txReadyAt} = now).</li>
 *   <li>The reader, a platform daemon thread named {@code virtaio-tap-<name>}, started by {@link #connect}: delivers
 *       into the device's receive path (which the device allows from any one thread) and flushes once per batch,
 *       which rings the driver's interrupt doorbell and wakes the host's loop.</li>
 *   <li>{@link #featuresNegotiated}: the device's transport. {@link #close()}: any thread, but not while the
 *       transmit path may still call {@link #accept} (close the host after its loop stopped, as
 *       {@code VirtioHost.close} does); it stops the reader through an eventfd, waits for it, then closes the
 *       descriptors.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Set-up failures throw {@link TapException} with the errno and a hint. On the data paths nothing throws: a failed
 * write (EINVAL for a header tun.c refuses, EIO while the interface is down, EAGAIN, ENOBUFS...) is a counted drop
 * ({@link FrameSink#DROP_BACKEND}); failed reads are counted by errno, and one that will not go away (EBADFD: the
 * interface was deleted) stops the reader, kept in {@link #failure()}. Every frame is accounted for in
 * {@link #counters()}.
 */
public final class TapBackend implements Backend {
    /** The name template {@link #open()} uses: the kernel replaces %d with the first free number. */
    public static final String DEFAULT_NAME = "vtap%d";
    /** How long {@link #close()} waits for the reader to stop. */
    static final long STOP_TIMEOUT_MS = 5_000;
    /**
     * Bytes of the receive and transmit frame buffers: more than the largest frame a TAP sends without GSO
     * (MTU 65535 + 14-byte Ethernet header + 4-byte VLAN tag), so a full buffer means a cut frame.
     */
    static final int FRAME_CAPACITY = 65_600;
    private static final String TUN_PATH = "/dev/net/tun";

    private final String name;
    private final int fd;
    private final int wakeFd;
    private final TapCounters counters = new TapCounters();
    private final TapReader reader;
    private final Object control = new Object();
    /** Transmit path only: errno capture, the two-entry iovec, the header copy, the copy of a heap frame. */
    private final MemorySegment txErrno;
    private final MemorySegment txIov;
    private final MemorySegment txHdr;
    private final MemorySegment txScratch;
    private FrameSink device;
    private volatile boolean closed;
    private volatile TapException offloadFailure;

    private TapBackend(String name, int fd, int wakeFd, LongSupplier clockNs) {
        this.name = name;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.reader = new TapReader(name, fd, wakeFd, FRAME_CAPACITY, clockNs, counters);
        Arena arena = Arena.ofAuto();
        this.txErrno = Libc.newErrnoSegment(arena);
        this.txIov = arena.allocate(2 * Libc.IOVEC_SIZE, 8);
        this.txHdr = arena.allocate(HDR_SIZE, 8);
        this.txScratch = arena.allocate(FRAME_CAPACITY, 64);
        txIov.set(ValueLayout.JAVA_LONG, Libc.IOV_BASE, txHdr.address());
        txIov.set(ValueLayout.JAVA_LONG, Libc.IOV_LEN, HDR_SIZE);
    }

    /** Opens a new TAP named after {@link #DEFAULT_NAME}, timestamps from {@link System#nanoTime()}. */
    public static TapBackend open() throws TapException {
        return open(DEFAULT_NAME, System::nanoTime);
    }

    /** Opens (or attaches to) the TAP {@code name}, timestamps from {@link System#nanoTime()}. */
    public static TapBackend open(String name) throws TapException {
        return open(name, System::nanoTime);
    }

    /**
     * Opens the TAP interface {@code name} — created if it does not exist, attached to if it is a persistent TAP
     * (e.g. made by {@code ip tuntap add mode tap vnet_hdr}); a {@code %d} in the name lets the kernel number it.
     *
     * @param name    interface name or template, 1..15 bytes of printable ASCII without '/' or spaces
     * @param clockNs the clock that timestamps received frames ({@code nowNs} of {@link FrameSink#accept}); the
     *                host's loop should use the same one
     * @throws TapException             if a call fails: no /dev/net/tun, no CAP_NET_ADMIN, a name taken by an
     *                                  interface of another kind, a kernel without IFF_VNET_HDR
     * @throws IllegalArgumentException for a bad name
     */
    public static TapBackend open(String name, LongSupplier clockNs) throws TapException {
        checkName(name);
        if (clockNs == null) {
            throw new IllegalArgumentException("clock is required");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            int fd = Libc.open(errno, arena.allocateFrom(TUN_PATH),
                    Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NONBLOCK, 0);
            if (fd < 0) {
                int e = Libc.errno(errno);
                throw new TapException("open(" + TUN_PATH + ")", e, switch (e) {
                    case LinuxErrno.ENOENT, LinuxErrno.ENODEV -> "no TUN/TAP driver: modprobe tun";
                    case LinuxErrno.EACCES, LinuxErrno.EPERM -> "run as root or with CAP_NET_ADMIN";
                    default -> null;
                });
            }
            int wakeFd = -1;
            try {
                String chosen = configure(arena, errno, fd, name);
                // eventfd(2): how close() interrupts the reader's poll.
                wakeFd = Libc.eventfd(errno, 0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
                if (wakeFd < 0) {
                    throw new TapException("eventfd()", Libc.errno(errno), null);
                }
                return new TapBackend(chosen, fd, wakeFd, clockNs);
            } catch (TapException | RuntimeException | Error e) {
                if (wakeFd >= 0) {
                    Libc.close(errno, wakeFd);
                }
                Libc.close(errno, fd);
                throw e;
            }
        }
    }

    /** TUNSETIFF, TUNSETVNETHDRSZ, TUNSETVNETLE, TUNSETOFFLOAD on a fresh descriptor; returns the name. */
    private static String configure(Arena arena, MemorySegment errno, int fd, String name) throws TapException {
        int wanted = Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_VNET_HDR;
        // tun.c __tun_chr_ioctl: TUNGETFEATURES answers the IFF_ flags TUNSETIFF understands.
        MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
        if (Libc.ioctl(errno, fd, Tun.TUNGETFEATURES, value) < 0) {
            throw new TapException("ioctl(TUNGETFEATURES)", Libc.errno(errno), null);
        }
        int features = value.get(ValueLayout.JAVA_INT, 0);
        if ((features & wanted) != wanted) {
            throw new TapException("the kernel's TUN/TAP driver lacks IFF_TAP|IFF_NO_PI|IFF_VNET_HDR (features 0x"
                    + Integer.toHexString(features) + ")", 0, null);
        }
        // netdevice(7) struct ifreq: the name, then ifr_flags at 16. tun.c tun_set_iff() creates the interface (or
        // attaches to an existing TAP) and strcpy()s the final name back into ifr_name.
        MemorySegment ifr = arena.allocate(Tun.IFREQ_SIZE, 8);
        MemorySegment.copy(name.getBytes(StandardCharsets.US_ASCII), 0, ifr, ValueLayout.JAVA_BYTE, Tun.IFR_NAME,
                name.length());
        ifr.set(ValueLayout.JAVA_SHORT, Tun.IFR_FLAGS, (short) wanted);
        if (Libc.ioctl(errno, fd, Tun.TUNSETIFF, ifr) < 0) {
            int e = Libc.errno(errno);
            throw new TapException("ioctl(TUNSETIFF, " + name + ")", e, switch (e) {
                case LinuxErrno.EPERM -> "creating an interface needs CAP_NET_ADMIN";
                case LinuxErrno.EINVAL, LinuxErrno.EBUSY ->
                        "an interface of another kind, or a multi-queue TAP, has that name";
                default -> null;
            });
        }
        String chosen = ifr.getString(Tun.IFR_NAME, StandardCharsets.US_ASCII);
        // tun.c: vnet_hdr_sz defaults to sizeof(struct virtio_net_hdr) = 10; VERSION_1 frames carry 12 bytes.
        value.set(ValueLayout.JAVA_INT, 0, HDR_SIZE);
        if (Libc.ioctl(errno, fd, Tun.TUNSETVNETHDRSZ, value) < 0) {
            throw new TapException("ioctl(TUNSETVNETHDRSZ, 12) on " + chosen, Libc.errno(errno), null);
        }
        value.set(ValueLayout.JAVA_INT, 0, 0);
        if (Libc.ioctl(errno, fd, Tun.TUNGETVNETHDRSZ, value) < 0
                || value.get(ValueLayout.JAVA_INT, 0) != HDR_SIZE) {
            throw new TapException("ioctl(TUNGETVNETHDRSZ) on " + chosen + " does not answer 12", 0, null);
        }
        // VERSION_1 headers are little-endian (virtio 1.2 §5.1.6); tun.c uses host order for a legacy header unless
        // TUNSETVNETLE. Only a big-endian host strictly needs it, so only there is its failure fatal.
        value.set(ValueLayout.JAVA_INT, 0, 1);
        if (Libc.ioctl(errno, fd, Tun.TUNSETVNETLE, value) < 0 && ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new TapException("ioctl(TUNSETVNETLE) on " + chosen, Libc.errno(errno),
                    "a big-endian host needs little-endian virtio-net headers");
        }
        // No offloads until the driver negotiates: the kernel completes checksums and segments in software.
        if (Libc.ioctl(errno, fd, Tun.TUNSETOFFLOAD, 0L) < 0) {
            throw new TapException("ioctl(TUNSETOFFLOAD, 0) on " + chosen, Libc.errno(errno), null);
        }
        return chosen;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() >= Tun.IFNAMSIZ) {
            throw new IllegalArgumentException("interface name must be 1.." + (Tun.IFNAMSIZ - 1) + " characters: "
                    + name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7F || c == '/' || c == ':') {
                throw new IllegalArgumentException("interface name must be printable ASCII without '/', ':' or "
                        + "spaces: \"" + name + "\"");
            }
        }
    }

    /** The interface's name as the kernel chose it, e.g. "vtap0". */
    public String name() {
        return name;
    }

    /** Called once by the device: starts the reader, which delivers frames to {@code toDevice}. */
    @Override
    public void connect(FrameSink toDevice) {
        if (toDevice == null) {
            throw new IllegalArgumentException("sink is required");
        }
        synchronized (control) {
            if (device != null) {
                throw new IllegalStateException("TAP " + name + " already connected");
            }
            if (closed) {
                throw new IllegalStateException("TAP " + name + " is closed");
            }
            device = toDevice;
            reader.start(toDevice);
        }
    }

    /**
     * Sets the TAP's offloads to what the driver's receive path takes ({@link TapOffloads#forFeatures}). A failure
     * is counted and kept ({@link #offloadFailure()}); the previous offloads stay (tun.c's set_offload changes
     * nothing when it returns an error).
     */
    @Override
    public void featuresNegotiated(long features) {
        int flags = TapOffloads.forFeatures(features);
        synchronized (control) {
            if (closed || flags == counters.offloads) {
                return;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment errno = Libc.newErrnoSegment(arena);
                if (Libc.ioctl(errno, fd, Tun.TUNSETOFFLOAD, Integer.toUnsignedLong(flags)) < 0) {
                    counters.offloadFailures++;
                    offloadFailure = new TapException("ioctl(TUNSETOFFLOAD, " + Tun.offloadNames(flags) + ") on "
                            + name, Libc.errno(errno), null);
                    return;
                }
            }
            counters.offloadChanges++;
            counters.offloads = flags;
        }
    }

    /**
     * Writes one frame into the TAP: one writev(2) of the header and the frame. Never blocks or throws.
     *
     * @return {@link FrameSink#OK} when the kernel took it, else {@link FrameSink#DROP_BACKEND} (counted by errno)
     */
    @Override
    public int accept(MemorySegment hdr, MemorySegment frame, long frameOff, int frameLen, long nowNs) {
        TapCounters c = counters;
        c.txFrames++;
        c.txBytes += frameLen;
        if (closed) {
            c.txClosed++;
            return DROP_BACKEND;
        }
        // The header is the device's stable copy; ours is in native memory where the iovec points.
        MemorySegment.copy(hdr, 0, txHdr, 0, HDR_SIZE);
        long base;
        if (frame.isNative()) {
            base = frame.address() + frameOff;
        } else {
            // A downcall cannot read the Java heap: copy (frames from tests and heap-backed stages only).
            if (frameLen > FRAME_CAPACITY) {
                c.txTooBig++;
                return DROP_BACKEND;
            }
            MemorySegment.copy(frame, frameOff, txScratch, 0, frameLen);
            base = txScratch.address();
            c.txCopied++;
        }
        txIov.set(ValueLayout.JAVA_LONG, Libc.IOVEC_SIZE + Libc.IOV_BASE, base);
        txIov.set(ValueLayout.JAVA_LONG, Libc.IOVEC_SIZE + Libc.IOV_LEN, frameLen);
        long n = Libc.writev(txErrno, fd, txIov, 2);
        if (n == HDR_SIZE + (long) frameLen) {
            c.txWritten++;
            c.txWrittenBytes += frameLen;
            if ((txHdr.get(ValueLayout.JAVA_BYTE, VirtioNet.HDR_FLAGS) & VirtioNet.HDR_F_NEEDS_CSUM) != 0) {
                c.txNeedsCsum++;
            }
            return OK;
        }
        if (n < 0) {
            // tun.c tun_get_user(): EINVAL for a header it refuses (csum_start + csum_offset + 2 past hdr_len and
            // the frame, an unknown gso_type) or a frame shorter than an Ethernet header; EIO while the interface
            // is down (!IFF_UP); EAGAIN/ENOBUFS/ENOMEM when memory is short. A NIC drops and counts.
            TapCounters.countErrno(c.txErrors, Libc.errno(txErrno));
        } else {
            c.txShort++;
        }
        return DROP_BACKEND;
    }

    /** Nothing to do: each frame reached the kernel in its own write. */
    @Override
    public void flush(long nowNs) {
    }

    /** The counters of both directions and of the offloads. */
    public TapCounters counters() {
        return counters;
    }

    /** Why the reader stopped on its own (e.g. the interface was deleted), or null while it runs. */
    public TapException failure() {
        return reader.failure();
    }

    /** Why the last offload change failed, or null. */
    public TapException offloadFailure() {
        return offloadFailure;
    }

    /** The TUN_F_ offload flags in force. */
    public int offloads() {
        return counters.offloads;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops the reader (eventfd wake-up, then waits for it to end), then closes the TAP and the eventfd; the
     * non-persistent interface disappears with its last descriptor (tun.c tun_chr_close). Idempotent. If the reader
     * does not end within {@value #STOP_TIMEOUT_MS} ms the descriptors are left open rather than closed under it
     * (a number it still reads could be reused by another file).
     */
    @Override
    public void close() {
        synchronized (control) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            boolean stopped;
            try {
                stopped = reader.stop(errno, STOP_TIMEOUT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = false;
            }
            if (stopped) {
                Libc.close(errno, fd);
                Libc.close(errno, wakeFd);
            }
        }
    }

    @Override
    public String toString() {
        return "TapBackend[" + name + (closed ? ", closed" : "") + ", offloads " + Tun.offloadNames(counters.offloads)
                + "]";
    }
}
