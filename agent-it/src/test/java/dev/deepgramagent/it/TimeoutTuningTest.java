package dev.deepgramagent.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** okhttp.ping.interval and okhttp.close.timeout change OkHttp's behaviour on Deepgram sockets only when set. */
class TimeoutTuningTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.withLatency(java.time.Duration.ofMillis(300));

    /** The app has no ping; the agent's ping interval detects the half-open connection. */
    @Test
    void pingIntervalDetectsAHalfOpenConnection() throws Exception {
        String[] app = {"url=" + Streaming.url(SIM.get(), "sim_fault=half_open&sim_fault_after=300ms"), "seconds=1", "realtime=true",
                "end=none", "wait=6"};
        Streaming.Outcome tuned = Streaming.run("4", "mode=observe,okhttp.ping.interval=300ms", app);
        assertEquals("client_timeout", tuned.rootCause(), tuned.toString());
        assertTrue(tuned.jvm.stdout().contains("FAILURE java.net.SocketTimeoutException"), tuned.toString());

        Streaming.Outcome untouched = Streaming.run("4", "mode=observe", app);
        // Without pings nothing notices within 6 s: the session is still open when the app exits.
        assertTrue(untouched.jvm.stdout().contains("DONE ended=false"), untouched.toString());
        assertEquals("jvm_shutdown", untouched.rootCause(), untouched.toString());
    }

    /** OkHttp waits 60 s for a close answer; okhttp.close.timeout=1s gives up after 1 s. */
    @Test
    void closeTimeoutEndsAnUnansweredClose() throws Exception {
        String[] app = {"url=" + Streaming.url(SIM.get(), "sim_fault=half_open&sim_fault_after=300ms"), "seconds=1", "realtime=true",
                "end=close", "wait=6"};
        Streaming.Outcome tuned = Streaming.run("4", "mode=observe,okhttp.close.timeout=1s", app);
        assertEquals("close_timeout", tuned.rootCause(), tuned.toString());
        assertTrue(Double.parseDouble(tuned.end().get("duration_seconds")) < 5, tuned.toString());
    }
}
