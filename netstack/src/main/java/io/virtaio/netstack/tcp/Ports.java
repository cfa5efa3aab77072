package io.virtaio.netstack.tcp;

import java.util.SplittableRandom;

/**
 * Local ports: how many sockets use each (bound, listening, or connected from an ephemeral port), listeners by
 * port, and the choice of ephemeral ports in Linux's default range 32768–60999 from a seeded starting point, so
 * that the choice is reproducible and not guessable without the seed (RFC 6056 §3.3.1 style: random start,
 * linear search for a free port). Arrays of 65536 entries: O(1) and allocation-free.
 */
final class Ports {
    static final int EPHEMERAL_LOW = 32768;
    static final int EPHEMERAL_HIGH = 60999;

    private final int[] uses = new int[65536];
    private final Listener[] listeners = new Listener[65536];
    private final SplittableRandom random;

    Ports(SplittableRandom random) {
        this.random = random;
    }

    boolean inUse(int port) {
        return uses[port] > 0;
    }

    void acquire(int port) {
        uses[port]++;
    }

    void release(int port) {
        if (uses[port] > 0) {
            uses[port]--;
        }
    }

    Listener listener(int port) {
        return listeners[port];
    }

    void setListener(int port, Listener l) {
        listeners[port] = l;
    }

    /**
     * A free ephemeral port for a connection to {@code remoteAddr:remotePort} (no socket uses it and the 4-tuple is
     * not in TIME_WAIT), acquired; or -1 if the range is exhausted.
     */
    int ephemeral(int localAddr, int remoteAddr, int remotePort, TimeWaitTable timeWait) {
        int range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
        int start = random.nextInt(range);
        for (int i = 0; i < range; i++) {
            int p = EPHEMERAL_LOW + (start + i) % range;
            if (uses[p] == 0 && (remoteAddr == 0 || timeWait.find(localAddr, p, remoteAddr, remotePort) < 0)) {
                uses[p]++;
                return p;
            }
        }
        return -1;
    }
}
