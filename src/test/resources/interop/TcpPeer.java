import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Linux end of the TCP interop tests, run with the JDK's source launcher inside the test's network namespace
 * (ip netns exec NS java TcpPeer.java ...), so it uses the kernel's TCP over the TAP. Payloads are the stream
 * {@code payload(seed)}: byte i is byte (i mod 8) of mix(seed + i / 8), so either end can make or check any part.
 *
 *   send HOST PORT BYTES SEED        connect, write BYTES of payload, close output, wait for the peer's close;
 *                                    print "sent N sha256 HEX in T ms"
 *   sink PORT                        accept one connection, read to its end; print "ready", then "received N sha256 HEX"
 *   echo-stream HOST PORT BYTES SEED write BYTES of payload while reading the echo; print "echoed N sha256 HEX sent HEX"
 *   echo-client HOST PORT COUNT SIZE COUNT round trips of SIZE bytes on one connection; print "ok COUNT"
 *   echo-server PORT                 accept one connection, echo to its end; print "ready", then "echoed N"
 *   many HOST PORT CONNS SIZE        open CONNS connections, then on all at once send SIZE bytes and read the echo;
 *                                    print "open CONNS", then "ok CONNS"
 *   reset PORT                       accept one connection, read one byte, then close with SO_LINGER 0 (an RST);
 *                                    print "ready", then "reset"
 *
 * Exit status 0 on success; 1 with a message on stderr otherwise. Every blocking call has a 60 s timeout.
 */
public class TcpPeer {
    static final int TIMEOUT_MS = 60_000;

    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "send" -> send(args[1], port(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]));
                case "sink" -> sink(port(args[1]));
                case "echo-stream" -> echoStream(args[1], port(args[2]), Long.parseLong(args[3]),
                        Long.parseLong(args[4]));
                case "echo-client" -> echoClient(args[1], port(args[2]), Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]));
                case "echo-server" -> echoServer(port(args[1]));
                case "many" -> many(args[1], port(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                case "reset" -> reset(port(args[1]));
                default -> fail("unknown mode " + args[0]);
            }
        } catch (IOException e) {
            fail(args[0] + ": " + e);
        }
    }

    static int port(String s) {
        return Integer.parseInt(s);
    }

    /** SplitMix64's finalizer: a different, well-mixed word for every index. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Fills {@code buf[0, n)} with the payload bytes from stream offset {@code offset}. */
    static void payload(long seed, long offset, byte[] buf, int n) {
        int i = 0;
        for (; i < n && ((offset + i) & 7) != 0; i++) {
            buf[i] = payloadByte(seed, offset + i);
        }
        ByteBuffer words = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        for (; i + 8 <= n; i += 8) {
            words.putLong(i, mix(seed + ((offset + i) >>> 3)));
        }
        for (; i < n; i++) {
            buf[i] = payloadByte(seed, offset + i);
        }
    }

    static byte payloadByte(long seed, long at) {
        return (byte) (mix(seed + (at >>> 3)) >>> ((at & 7) * 8));
    }

    static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
        s.setSoTimeout(TIMEOUT_MS);
        return s;
    }

    static ServerSocket listen(int port, int backlog) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress("0.0.0.0", port), backlog);
        ss.setSoTimeout(TIMEOUT_MS);
        System.out.println("ready");
        return ss;
    }

    static Socket acceptOne(ServerSocket ss) throws IOException {
        Socket s = ss.accept();
        s.setSoTimeout(TIMEOUT_MS);
        return s;
    }

    /** Writes {@code bytes} of payload; returns the SHA-256 of what was written. */
    static byte[] writePayload(OutputStream out, long bytes, long seed) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        for (long off = 0; off < bytes; ) {
            int n = (int) Math.min(buf.length, bytes - off);
            payload(seed, off, buf, n);
            sha.update(buf, 0, n);
            out.write(buf, 0, n);
            off += n;
        }
        return sha.digest();
    }

    static void send(String host, int port, long bytes, long seed) throws Exception {
        try (Socket s = connect(host, port)) {
            long start = System.nanoTime();
            byte[] sha = writePayload(s.getOutputStream(), bytes, seed);
            s.shutdownOutput();
            // Our side closes once it read everything: the bytes are delivered, not only buffered here.
            if (s.getInputStream().read() != -1) {
                fail("the peer sent data instead of closing");
            }
            System.out.println("sent " + bytes + " sha256 " + HexFormat.of().formatHex(sha) + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
    }

    static void sink(int port) throws Exception {
        try (ServerSocket ss = listen(port, 1); Socket s = acceptOne(ss)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256 * 1024];
            long total = 0;
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                sha.update(buf, 0, n);
                total += n;
            }
            System.out.println("received " + total + " sha256 " + HexFormat.of().formatHex(sha.digest()));
        }
    }

    static void echoStream(String host, int port, long bytes, long seed) throws Exception {
        try (Socket s = connect(host, port)) {
            AtomicReference<Object> sent = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    sent.set(writePayload(s.getOutputStream(), bytes, seed));
                    s.shutdownOutput();
                } catch (Exception e) {
                    sent.set(e);
                }
            });
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256 * 1024];
            long total = 0;
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                sha.update(buf, 0, n);
                total += n;
            }
            writer.join();
            if (sent.get() instanceof Exception e) {
                throw e;
            }
            System.out.println("echoed " + total + " sha256 " + HexFormat.of().formatHex(sha.digest()) + " sent "
                    + HexFormat.of().formatHex((byte[]) sent.get()));
        }
    }

    static void echoClient(String host, int port, int count, int size) throws Exception {
        try (Socket s = connect(host, port)) {
            s.setTcpNoDelay(true);
            byte[] out = new byte[size];
            byte[] in = new byte[size];
            for (int k = 0; k < count; k++) {
                payload(k, 0, out, size);
                s.getOutputStream().write(out);
                s.getInputStream().readNBytes(in, 0, size);
                if (!Arrays.equals(out, in)) {
                    fail("echo " + k + " differs");
                }
            }
            s.shutdownOutput();
            if (s.getInputStream().read() != -1) {
                fail("data after the last echo");
            }
        }
        System.out.println("ok " + count);
    }

    static void echoServer(int port) throws Exception {
        try (ServerSocket ss = listen(port, 1); Socket s = acceptOne(ss)) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
                total += n;
            }
            System.out.println("echoed " + total);
        }
    }

    static void many(String host, int port, int conns, int size) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < conns; i++) {
                sockets.add(connect(host, port));
            }
            System.out.println("open " + conns);
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Exception> failure = new AtomicReference<>();
            for (int i = 0; i < conns; i++) {
                Socket s = sockets.get(i);
                long seed = i;
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        byte[] out = new byte[size];
                        byte[] in = new byte[size];
                        payload(seed, 0, out, size);
                        s.getOutputStream().write(out);
                        s.shutdownOutput();
                        s.getInputStream().readNBytes(in, 0, size);
                        if (!Arrays.equals(out, in)) {
                            throw new IOException("connection " + seed + ": echo differs");
                        }
                        if (s.getInputStream().read() != -1) {
                            throw new IOException("connection " + seed + ": no end of stream after the echo");
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            if (failure.get() != null) {
                throw failure.get();
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        System.out.println("ok " + conns);
    }

    static void reset(int port) throws Exception {
        try (ServerSocket ss = listen(port, 1); Socket s = acceptOne(ss)) {
            if (s.getInputStream().read() < 0) {
                throw new EOFException("closed before the first byte");
            }
            s.setSoLinger(true, 0);          // close() now aborts the connection: an RST, no FIN (socket(7))
        }
        System.out.println("reset");
    }

    static void fail(String why) {
        System.err.println(why);
        System.exit(1);
    }
}
