package dev.deepgramagent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class LayoutsTest {

    private static LoggingEvent event(String message) {
        LoggerContext ctx = new LoggerContext();
        Logger logger = ctx.getLogger("deepgram-agent.test");
        LoggingEvent e = new LoggingEvent("fqcn", logger, Level.WARN, message, null, null);
        e.setKeyValuePairs(List.of(new KeyValuePair("root_cause", "server_idle_timeout"),
                new KeyValuePair("audio_seconds", 1.5), new KeyValuePair("reason", "a \"quoted\" reason")));
        return e;
    }

    @Test
    void jsonIsOneEscapedObjectPerLine() {
        String line = new JsonLayout().doLayout(event("line1\nline2 \"q\" \\ \u0001"));
        assertTrue(line.endsWith("}" + System.lineSeparator()), line);
        assertTrue(line.trim().indexOf('\n') < 0, line);
        assertTrue(line.contains("\"level\":\"WARN\""), line);
        assertTrue(line.contains("\"message\":\"line1\\nline2 \\\"q\\\" \\\\ \\u0001\""), line);
        assertTrue(line.contains("\"root_cause\":\"server_idle_timeout\""), line);
        assertTrue(line.contains("\"audio_seconds\":1.5"), line);
    }

    @Test
    void textCarriesKeyValuesQuotedWhenNeeded() {
        String line = new TextLayout().doLayout(event("session ended"));
        assertTrue(line.contains(" deepgram-agent WARN  session ended root_cause=server_idle_timeout audio_seconds=1.5 reason=\"a \\\"quoted\\\" reason\""), line);
    }
}
