import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * The Linux end of the UDP interop tests, run with the JDK's source launcher inside the test's network namespace
 * (ip netns exec NS java UdpPeer.java ...), so it uses the kernel's UDP over the TAP.
 *
 *   echo PORT COUNT                 bind 0.0.0.0:PORT, print "ready", send back COUNT datagrams, print "echoed N"
 *   send HOST PORT COUNT SIZE...    send COUNT datagrams per SIZE, each awaiting its echo; print "ok N"
 *   burst HOST PORT COUNT SIZE      send COUNT datagrams of SIZE bytes back to back, datagram k starting with k (a
 *                                   big-endian int); print "sent N"
 *
 * Exit status 0 on success; 1 with a message on stderr otherwise.
 */
public class UdpPeer {
    static byte pattern(int k, int i) {
        return (byte) (k * 31 + i * 7 + (i >>> 8));
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "echo" -> echo(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "send" -> send(args);
            case "burst" -> burst(InetAddress.getByName(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            default -> fail("unknown mode " + args[0]);
        }
    }

    static void echo(int port, int count) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("0.0.0.0", port))) {
            s.setSoTimeout(30_000);
            System.out.println("ready");
            byte[] buf = new byte[65536];
            for (int n = 0; n < count; n++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                s.send(new DatagramPacket(buf, p.getLength(), p.getSocketAddress()));
            }
            System.out.println("echoed " + count);
        }
    }

    static void send(String[] args) throws Exception {
        InetAddress host = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        int sent = 0;
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5_000);
            byte[] in = new byte[65536];
            for (int a = 4; a < args.length; a++) {
                int size = Integer.parseInt(args[a]);
                for (int k = 0; k < count; k++) {
                    byte[] out = new byte[size];
                    for (int i = 0; i < size; i++) {
                        out[i] = pattern(k, i);
                    }
                    s.send(new DatagramPacket(out, size, host, port));
                    DatagramPacket p = new DatagramPacket(in, in.length);
                    try {
                        s.receive(p);
                    } catch (SocketTimeoutException e) {
                        fail("no echo of datagram " + k + " (" + size + " bytes) within 5 s");
                    }
                    if (!Arrays.equals(out, Arrays.copyOf(in, p.getLength()))) {
                        fail("echo of datagram " + k + " (" + size + " bytes) differs: got " + p.getLength());
                    }
                    sent++;
                }
            }
        }
        System.out.println("ok " + sent);
    }

    static void burst(InetAddress host, int port, int count, int size) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] out = new byte[size];
            for (int k = 0; k < count; k++) {
                java.nio.ByteBuffer.wrap(out).putInt(0, k);
                s.send(new DatagramPacket(out, size, host, port));
            }
        }
        System.out.println("sent " + count);
    }

    static void fail(String why) {
        System.err.println(why);
        System.exit(1);
    }
}
