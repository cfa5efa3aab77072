package io.virtaio.virtio.queue.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * An exhaustive checker for two-thread programs under x86-TSO: each thread's stores go into its own FIFO store
 * buffer and reach memory one at a time, whenever the scheduler chooses; a load reads the thread's newest buffered
 * store to that variable, else memory; a fence waits until the thread's buffer is empty. Release stores and
 * acquire loads are plain stores and loads on TSO, so the only reordering is store→load, the one a full fence
 * forbids. Every interleaving of instruction steps and buffer flushes is enumerated.
 */
final class TsoModel {
    private TsoModel() {
    }

    sealed interface Instr permits Store, Load, Fence {
    }

    /** {@code var = value(registers)}. */
    record Store(int var, ToIntFunction<int[]> value) implements Instr {
    }

    /** {@code registers[reg] = var}. */
    record Load(int var, int reg) implements Instr {
    }

    record Fence() implements Instr {
    }

    static Store store(int var, int value) {
        return new Store(var, r -> value);
    }

    static Store store(int var, ToIntFunction<int[]> value) {
        return new Store(var, value);
    }

    static Load load(int var, int reg) {
        return new Load(var, reg);
    }

    static Fence fence() {
        return new Fence();
    }

    /** A finished execution: final memory and each thread's registers. */
    record Outcome(int[] memory, int[] regs0, int[] regs1) {
        @Override
        public String toString() {
            return "memory " + Arrays.toString(memory) + ", thread 0 registers " + Arrays.toString(regs0)
                    + ", thread 1 registers " + Arrays.toString(regs1);
        }
    }

    /** What the exploration found: how many executions, and the first one matching the bad predicate. */
    record Result(long executions, Outcome counterexample, List<String> trace) {
    }

    private static final int REGS = 4;

    static Result explore(int[] memory, List<Instr> t0, List<Instr> t1, Predicate<Outcome> bad) {
        Explorer e = new Explorer(List.of(t0, t1), bad);
        e.dfs(new State(memory.clone(), new int[2], new int[2][REGS], List.of(List.of(), List.of())),
                new ArrayList<>());
        return new Result(e.executions, e.counterexample, e.trace);
    }

    /** Store buffer entry. */
    private record Pending(int var, int value) {
    }

    private record State(int[] memory, int[] pc, int[][] regs, List<List<Pending>> buffers) {
    }

    private static final class Explorer {
        final List<List<Instr>> programs;
        final Predicate<Outcome> bad;
        long executions;
        Outcome counterexample;
        List<String> trace;

        Explorer(List<List<Instr>> programs, Predicate<Outcome> bad) {
            this.programs = programs;
            this.bad = bad;
        }

        void dfs(State s, List<String> path) {
            if (counterexample != null) {
                return;
            }
            boolean moved = false;
            for (int t = 0; t < 2; t++) {
                // Step 1: the thread's buffer flushes its oldest store to memory.
                List<Pending> buf = s.buffers().get(t);
                if (!buf.isEmpty()) {
                    moved = true;
                    Pending p = buf.getFirst();
                    int[] mem = s.memory().clone();
                    mem[p.var()] = p.value();
                    path.add("T" + t + " flush var" + p.var() + "=" + p.value());
                    dfs(new State(mem, s.pc(), s.regs(), with(s.buffers(), t, buf.subList(1, buf.size()))), path);
                    path.removeLast();
                }
                // Step 2: the thread executes its next instruction.
                int pc = s.pc()[t];
                if (pc < programs.get(t).size()) {
                    Instr in = programs.get(t).get(pc);
                    State next = execute(s, t, in);
                    if (next != null) {
                        moved = true;
                        path.add("T" + t + " " + describe(in, next, t));
                        dfs(next, path);
                        path.removeLast();
                    }
                }
            }
            if (!moved) {
                executions++;
                Outcome o = new Outcome(s.memory(), s.regs()[0], s.regs()[1]);
                if (bad.test(o)) {
                    counterexample = o;
                    trace = List.copyOf(path);
                }
            }
        }

        private static String describe(Instr in, State after, int t) {
            return switch (in) {
                case Store st -> "store var" + st.var() + " (buffered)";
                case Load ld -> "load var" + ld.var() + " -> r" + ld.reg() + "=" + after.regs()[t][ld.reg()];
                case Fence f -> "fence";
            };
        }

        /** The state after thread t executes {@code in}, or null if it cannot yet (a fence with stores pending). */
        private static State execute(State s, int t, Instr in) {
            int[] pc = s.pc().clone();
            pc[t]++;
            List<Pending> buf = s.buffers().get(t);
            switch (in) {
                case Store st -> {
                    List<Pending> nb = new ArrayList<>(buf);
                    nb.add(new Pending(st.var(), st.value().applyAsInt(s.regs()[t])));
                    return new State(s.memory(), pc, s.regs(), with(s.buffers(), t, nb));
                }
                case Load ld -> {
                    int v = s.memory()[ld.var()];
                    for (Pending p : buf) {
                        if (p.var() == ld.var()) {
                            v = p.value(); // store forwarding: the newest own store wins
                        }
                    }
                    int[][] regs = {s.regs()[0].clone(), s.regs()[1].clone()};
                    regs[t][ld.reg()] = v;
                    return new State(s.memory(), pc, regs, s.buffers());
                }
                case Fence f -> {
                    return buf.isEmpty() ? new State(s.memory(), pc, s.regs(), s.buffers()) : null;
                }
            }
        }

        private static List<List<Pending>> with(List<List<Pending>> buffers, int t, List<Pending> b) {
            return t == 0 ? List.of(List.copyOf(b), buffers.get(1)) : List.of(buffers.get(0), List.copyOf(b));
        }
    }
}
