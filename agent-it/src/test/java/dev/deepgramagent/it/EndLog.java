package dev.deepgramagent.it;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's JSON log of session ends in a forked JVM's stderr: the "session ended" lines it
 * wrote, and what its rate limit left out and counted in its per-second summaries.
 */
record EndLog(int logged, long summarised, int summaries) {

    private static final Pattern SUPPRESSED = Pattern.compile("\"suppressed\":(\\d+)");

    static EndLog of(ForkedJvm.Result r) {
        int logged = (int) r.stderrLines().stream().filter(l -> l.contains("\"message\":\"session ended\"")).count();
        long summarised = 0;
        int summaries = 0;
        Matcher m = SUPPRESSED.matcher(r.stderr());
        while (m.find()) {
            summarised += Long.parseLong(m.group(1));
            summaries++;
        }
        return new EndLog(logged, summarised, summaries);
    }
}
