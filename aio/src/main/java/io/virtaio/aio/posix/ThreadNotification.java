package io.virtaio.aio.posix;

import io.virtaio.aio.engine.Engine;
import io.virtaio.aio.engine.Notification;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * SIGEV_THREAD: calls sigev_notify_function with the submission's sigev_value "as if it were the start function of
 * a newly created thread" (POSIX.1-2017 2.4.1): on a thread from sigev_notify_attributes when given, else on the
 * runtime's notification executor (a virtual thread per notification by default).
 */
final class ThreadNotification implements Notification {
    private final Executor executor;
    private final ThreadFactory factory;
    private final Consumer<sigval> function;
    private final int sivalInt;
    private final Object sivalPtr;
    private final Engine engine;

    ThreadNotification(Executor executor, sigevent sev, Engine engine) {
        this.executor = executor;
        this.factory = sev.sigev_notify_attributes;
        this.function = sev.sigev_notify_function;
        this.sivalInt = sev.sigev_value.sival_int;
        this.sivalPtr = sev.sigev_value.sival_ptr;
        this.engine = engine;
    }

    @Override
    public void fire(Runnable handedOff) {
        Runnable task = () -> {
            handedOff.run();
            function.accept(new sigval(sivalInt, sivalPtr));
        };
        try {
            if (factory != null) {
                Thread t = factory.newThread(task);
                if (t == null) {
                    throw new RejectedExecutionException("thread factory refused");
                }
                t.start();
            } else {
                executor.execute(task);
            }
        } catch (RejectedExecutionException | IllegalThreadStateException e) {
            // POSIX has no channel to report a notification that cannot be started: count it, free the slot.
            engine.countNotificationFailure();
            handedOff.run();
        }
    }
}
