package dev.deepgramagent.it;

import dev.deepgramagent.it.apps.PlainApp;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** enabled=false installs nothing; the same run with the agent enabled shows what "something" looks like. */
class EnabledFlagTest {

    @Test
    void disabledAgentTransformsNothingAndStaysSilent() throws Exception {
        ForkedJvm.Result result = ForkedJvm.app(PlainApp.class)
                .withAgent("enabled=false,hosts=127.0.0.1,log.level=trace")
                .args("socket", "bridge").run();

        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("plain app started\nwebsocket failed=true\nagent bridge in bootstrap loader: false\nplain app done\n",
                result.stdout(), result.toString());
        assertEquals("", result.stderr(), "a disabled agent must not print, log or instrument anything");
    }

    @Test
    void disabledThroughTheEnvironmentToo() throws Exception {
        ForkedJvm.Result result = ForkedJvm.app(PlainApp.class).withAgent("hosts=127.0.0.1,log.level=trace")
                .env("DEEPGRAM_AGENT_ENABLED", "false").args("socket", "bridge").run();
        // Agent arguments win over the environment, but enabled is not among them here.
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("agent bridge in bootstrap loader: false"), result.toString());
        assertEquals("", result.stderr(), result.toString());
    }

    @Test
    void enabledAgentInstrumentsTheSameRun() throws Exception {
        ForkedJvm.Result result = ForkedJvm.app(PlainApp.class)
                .withAgent("hosts=127.0.0.1,log.level=debug")
                .args("socket", "bridge").run();

        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("agent bridge in bootstrap loader: true"), result.toString());
        assertTrue(result.stderr().contains("instrumented okhttp3.internal.ws.RealWebSocket (at class load)"), result.toString());
        assertTrue(result.stderr().contains("okhttp: tracking a Deepgram /v1/listen session"), result.toString());
        assertFalse(result.stderr().contains("internal error"), result.toString());
    }

    @Test
    void jsonLogFormatWritesOneObjectPerLine() throws Exception {
        ForkedJvm.Result result = ForkedJvm.app(PlainApp.class)
                .withAgent("hosts=127.0.0.1,log.level=debug,log.format=json")
                .args("socket").run();

        assertEquals(0, result.exitCode(), result.toString());
        java.util.List<String> lines = result.stderrLines();
        assertTrue(lines.size() >= 2, result.toString());
        for (String line : lines) {
            assertTrue(line.startsWith("{\"ts\":\"") && line.endsWith("}"), "not a JSON log line: " + line);
            assertTrue(line.contains("\"logger\":\"deepgram-agent."), line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("\"message\":\"okhttp: tracking a Deepgram /v1/listen session\"")),
                result.toString());
    }
}
