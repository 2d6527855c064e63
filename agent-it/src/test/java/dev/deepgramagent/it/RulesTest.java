package dev.deepgramagent.it;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** promtool check rules and promtool test rules on dashboards/. */
class RulesTest {

    static String promtool(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(PrometheusServer.binary("promtool"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).directory(MetricsEndToEndTest.ROOT.resolve("dashboards").toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "promtool " + String.join(" ", args) + ":\n" + out);
        return out;
    }

    @Test
    void rulesAreValid() throws Exception {
        assertTrue(promtool("check", "rules", "deepgram-agent-rules.yml").contains("SUCCESS"));
    }

    @Test
    void everyAlertFiresAndStaysSilentWhenItShould() throws Exception {
        String out = promtool("test", "rules", "tests/deepgram-agent-rules.test.yml");
        assertTrue(out.contains("SUCCESS"), out);
        String tests = java.nio.file.Files.readString(MetricsEndToEndTest.ROOT.resolve("dashboards/tests/deepgram-agent-rules.test.yml"));
        for (String alert : Rules.expressions(MetricsEndToEndTest.RULES).keySet()) {
            if (alert.contains(":")) {
                continue; // recording rules
            }
            long cases = tests.lines().filter(l -> l.trim().equals("alertname: " + alert)).count();
            assertTrue(cases >= 2, alert + " needs a firing and a silent case, has " + cases);
        }
    }
}
