package dev.deepgramagent.it;

import dev.deepgramagent.it.apps.StormApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A storm: 1,000 sessions end at once (a Deepgram that refuses every stream). The agent's log stays
 * within log.rate lines per second plus one summary per second; its metrics count all 1,000.
 */
class LogStormTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    @Test
    void aThousandEndsAtOnceStayWithinTheLogRateAndAreAllCounted() throws Exception {
        int port = ForkedJvm.freePort();
        ForkedJvm.Result r = ForkedJvm.app(StormApp.class)
                .withAgent("hosts=127.0.0.1,log.format=json,log.rate=25,metrics.host=127.0.0.1,metrics.port=" + port)
                .args(Streaming.url(SIM.get(), "sim_fault=reject_429"), "1000", String.valueOf(port)).run();
        assertTrue(r.stdout().contains("STORM ended=true"), r.toString());
        assertTrue(r.stdout().contains("METRIC deepgram_agent_sessions_ended_total{library=\"okhttp\",endpoint=\"/v1/listen\","
                + "root_cause=\"handshake_rate_limited\",} 1000.0"), "the metrics count every end\n" + r.stdout());

        EndLog log = EndLog.of(r);
        assertEquals(1000, log.logged() + log.summarised(), "every end is either logged or counted in a summary\n" + r.stderr());
        Matcher ms = Pattern.compile("STORM ended=true millis=(\\d+)").matcher(r.stdout());
        assertTrue(ms.find());
        long seconds = Long.parseLong(ms.group(1)) / 1000 + 2;
        assertTrue(log.logged() <= 25 * seconds, log.logged() + " end lines in about " + seconds + " s");
        assertTrue(log.summaries() >= 1 && log.summaries() <= seconds + 1, log.summaries() + " summary lines");
        assertTrue(r.stderr().contains("the metrics count every session"), r.stderr());
    }
}
