package io.virtaio.bench.tap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * The Linux side of {@link TapBench}: plain JDK blocking sockets over the kernel's TCP, run inside a network
 * namespace ({@code ip netns exec NS java -cp virtaio.jar io.virtaio.bench.tap.LinuxPeer ...}). The same client runs
 * against both servers compared — our stack behind a TAP, and {@code servers} below behind a veth — so that the
 * client side costs the same in both rows.
 *
 * <pre>
 *   bulk HOST PORT BYTES RUNS             RUNS connections, each: write BYTES in 64 KiB writes, close the output, wait
 *                                         for the server's close; print "bulk BYTES NANOS" per connection
 *   rtt HOST PORT SIZE WARMUP COUNT       one connection, TCP_NODELAY: WARMUP, then COUNT round trips of SIZE bytes;
 *                                         print "rtt COUNT P50_NS P99_NS P999_NS MEAN_NS"
 *   servers DISCARD_PORT ECHO_PORT        discard and echo servers, a thread per connection; print "ready"
 * </pre>
 */
public final class LinuxPeer {
    static final int CHUNK = 64 * 1024;

    private LinuxPeer() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "bulk" -> bulk(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]));
            case "rtt" -> rtt(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
            case "servers" -> servers(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(120_000);
        return s;
    }

    static void bulk(String host, int port, long bytes, int runs) throws IOException {
        byte[] chunk = new byte[CHUNK];
        for (int run = 0; run < runs; run++) {
            try (Socket s = connect(host, port)) {
                OutputStream out = s.getOutputStream();
                long start = System.nanoTime();
                for (long left = bytes; left > 0; left -= CHUNK) {
                    out.write(chunk, 0, (int) Math.min(CHUNK, left));
                }
                s.shutdownOutput();
                // The server closes once it has read everything: the bytes arrived, not only left our buffer.
                if (s.getInputStream().read() != -1) {
                    throw new IOException("the server sent data instead of closing");
                }
                System.out.println("bulk " + bytes + " " + (System.nanoTime() - start));
            }
        }
    }

    static void rtt(String host, int port, int size, int warmup, int count) throws IOException {
        Histogram h = new Histogram(3);
        try (Socket s = connect(host, port)) {
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] msg = new byte[size];
            byte[] back = new byte[size];
            for (int i = 0; i < warmup + count; i++) {
                msg[0] = (byte) i;
                long t0 = System.nanoTime();
                out.write(msg);
                if (in.readNBytes(back, 0, size) != size || back[0] != msg[0]) {
                    throw new IOException("echo " + i + " short or wrong");
                }
                long t = System.nanoTime() - t0;
                if (i >= warmup) {
                    h.recordValue(t);
                }
            }
        }
        System.out.printf(Locale.ROOT, "rtt %d %d %d %d %.0f%n", h.getTotalCount(), h.getValueAtPercentile(50),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMean());
    }

    static void servers(int discardPort, int echoPort) throws IOException {
        ServerSocket discard = listen(discardPort);
        ServerSocket echo = listen(echoPort);
        Thread.ofPlatform().start(() -> accept(discard, false));
        Thread.ofPlatform().start(() -> accept(echo, true));
        System.out.println("ready");
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress("0.0.0.0", port), 16);
        return ss;
    }

    private static void accept(ServerSocket ss, boolean echo) {
        while (true) {
            try {
                Socket s = ss.accept();
                Thread.ofPlatform().start(() -> serve(s, echo));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serve(Socket s, boolean echo) {
        try (s) {
            s.setTcpNoDelay(echo);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[echo ? CHUNK : 4 * CHUNK];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                if (echo) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the client went away; the next connection is served all the same
        }
    }
}
