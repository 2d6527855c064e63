package dev.deepgramagent.core;

import dev.deepgramagent.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentCoreWarmUpTest {

    /**
     * What an attach calls (AgentStartup, attached only): the warm-up's tasks run on a daemon thread of
     * their own, once for two calls in a row, and a first session afterwards starts no second one.
     */
    @Test
    void warmUpNowRunsTheTasksOnceOnADaemonThreadOfItsOwn() throws Exception {
        AgentCore core = new AgentCore(ConfigLoader.load("", Map.of(), Map.of(), w -> { }));
        try {
            runsOnce(core);
        } finally {
            core.engine().shutdown(); // ends the session this test opened, rather than the JVM's exit
        }
    }

    private static void runsOnce(AgentCore core) throws Exception {
        List<Thread> ranOn = new CopyOnWriteArrayList<>();
        CountDownLatch ran = new CountDownLatch(1);
        core.warmUpAtFirstSession(() -> {
            ranOn.add(Thread.currentThread());
            ran.countDown();
        });
        core.warmUpNow();
        core.warmUpNow();
        assertTrue(ran.await(30, TimeUnit.SECONDS), "the warm-up did not run");
        Thread warmUp = ranOn.get(0);
        warmUp.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(1, ranOn.size(), "the warm-up ran more than once");
        assertEquals("deepgram-agent-warm-up", warmUp.getName());
        assertTrue(warmUp.isDaemon(), "the warm-up thread must never keep the app's JVM alive");
        core.socketCreated(new Object(), "okhttp", "wss://api.deepgram.com/v1/listen", null);
        // A second warm-up would be a thread of the same name, alive now or already done: wait for any left.
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("deepgram-agent-warm-up")) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        assertEquals(1, ranOn.size(), "a first session after warmUpNow started a second warm-up");
    }
}
