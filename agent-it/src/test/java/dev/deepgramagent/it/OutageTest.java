package dev.deepgramagent.it;

import dev.deepgramagent.it.apps.OutageApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Deepgram outage: 200 open sessions, streaming on OkHttp and on the JDK's client, end at once
 * (the simulator closes half with 1011 and resets the other half). The app is unaffected, the
 * agent's log stays within log.rate lines per second plus its summaries, and its metrics count every
 * end under its library and the root cause the server gave.
 */
class OutageTest {

    private static final int PER_LIBRARY = 100;
    private static final int LOG_RATE = 25;

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    @Test
    void everyOpenSessionEndsAtOnceAndEachEndIsCountedOnce() throws Exception {
        int port = ForkedJvm.freePort();
        ForkedJvm jvm = ForkedJvm.app(OutageApp.class)
                .withAgent("hosts=127.0.0.1,log.format=json,log.rate=" + LOG_RATE + ",metrics.host=127.0.0.1,metrics.port=" + port)
                .args(Streaming.url(SIM.get(), ""), String.valueOf(PER_LIBRARY), String.valueOf(port));
        int[] outage;
        ForkedJvm.Result r;
        try (ForkedJvm.Running app = jvm.start()) {
            app.awaitStdout(out -> out.contains("OPEN " + 2 * PER_LIBRARY), 120);
            outage = SIM.get().endOpenSessions();
            r = app.awaitExit(120);
        }
        assertEquals(2 * PER_LIBRARY, outage[0] + outage[1], "sessions the simulator ended\n" + r);

        // The app: every session ended through its library's callbacks, and no send threw.
        assertTrue(r.stdout().contains("OUTAGE ended=true"), r.toString());
        assertTrue(r.stdout().contains("APP unexpected=0"), r.toString());
        assertEquals(0, r.exitCode(), r.toString());

        // The metrics: each end once, under its library, with the cause the server gave.
        assertEquals(outage[0], metric(r, "server_error"), "1011 closes\n" + r.stdout());
        assertEquals(outage[1], metric(r, "network_reset"), "resets\n" + r.stdout());
        assertEquals(PER_LIBRARY, metricForLibrary(r, "okhttp"), r.stdout());
        assertEquals(PER_LIBRARY, metricForLibrary(r, "jdk"), r.stdout());
        assertEquals(2 * PER_LIBRARY, endedTotal(r), r.stdout());
        assertFalse(r.stdout().contains("METRIC deepgram_agent_sessions_active{"), "sessions still active\n" + r.stdout());
        assertFalse(r.stdout().contains("METRIC deepgram_agent_internal_errors_total{"), "internal errors\n" + r.stdout());

        // The log: every end either logged or counted in a summary, within the rate.
        EndLog log = EndLog.of(r);
        assertEquals(2 * PER_LIBRARY, log.logged() + log.summarised(), "every end is logged or summarised\n" + r.stderr());
        Matcher ms = Pattern.compile("OUTAGE ended=true remaining=0 millis=(\\d+)").matcher(r.stdout());
        assertTrue(ms.find(), r.stdout());
        long seconds = Long.parseLong(ms.group(1)) / 1000 + 2;
        assertTrue(log.logged() <= LOG_RATE * seconds, log.logged() + " end lines in about " + seconds + " s");
        assertTrue(log.summaries() >= 1, "the suppressed ends are summarised\n" + r.stderr());
        assertFalse(r.stderr().contains("secret-test-key"), "the API key reached the log");
    }

    private static long metric(ForkedJvm.Result r, String rootCause) {
        return r.stdout().lines()
                .filter(l -> l.startsWith("METRIC deepgram_agent_sessions_ended_total{") && l.contains("root_cause=\"" + rootCause + "\""))
                .mapToLong(OutageTest::value).sum();
    }

    private static long metricForLibrary(ForkedJvm.Result r, String library) {
        return r.stdout().lines()
                .filter(l -> l.startsWith("METRIC deepgram_agent_sessions_ended_total{") && l.contains("library=\"" + library + "\""))
                .mapToLong(OutageTest::value).sum();
    }

    private static long endedTotal(ForkedJvm.Result r) {
        return r.stdout().lines().filter(l -> l.startsWith("METRIC deepgram_agent_sessions_ended_total{"))
                .mapToLong(OutageTest::value).sum();
    }

    private static long value(String line) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
