package dev.deepgramagent.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Problems named before Deepgram fails on them, and what the agent saved, with the packaged agent in
 * forked JVMs against the simulator at Deepgram's timings.
 */
class DiagnosticsTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    /** A WAV file streamed on a URL that declares 16 kHz mono linear16. */
    @Test
    void aWavFileInALinear16StreamIsNamedBeforeTheSessionEnds() throws Exception {
        int port = ForkedJvm.freePort();
        Streaming.Outcome outcome = Streaming.run("4", "metrics.port=" + port, "url=" + Streaming.url(SIM.get(), null),
                "wav_header=44100:2", "seconds=1", "print_metrics=" + port, "print_metrics_open=true", "end=closestream", "wait=10");
        String stdout = outcome.jvm.stdout();
        for (String warning : new String[] {"container_in_raw_stream", "sample_rate_mismatch", "channels_mismatch"}) {
            assertTrue(stdout.contains("METRIC deepgram_agent_session_warnings_total{library=\"okhttp\",warning=\"" + warning + "\",} 1.0"),
                    "counted while the session is open: " + warning + "\n" + outcome);
        }
        List<String> stderr = outcome.jvm.stderrLines();
        int warned = indexOf(stderr, "session warning: container_in_raw_stream");
        int ended = indexOf(stderr, "\"message\":\"session ended\"");
        assertTrue(warned >= 0 && warned < ended, "one WARN line, before the end\n" + outcome);
        assertTrue(stderr.get(warned).contains("\"level\":\"WARN\"") && stderr.get(warned).contains("the WAV header")
                || stderr.get(warned).contains("WAV header"), stderr.get(warned));
        assertEquals("container_in_raw_stream,sample_rate_mismatch,channels_mismatch", outcome.end().get("warnings"));
        assertEquals(1, stderr.stream().filter(l -> l.contains("session warning: sample_rate_mismatch")).count(), "once per session");
    }

    /** utterance_end_ms without interim_results: warned at creation, then Deepgram's 400 is tied to it. */
    @Test
    void aBadSettingsCombinationIsNamedAndTiedToTheRejection() throws Exception {
        Streaming.Outcome outcome = Streaming.run("4", "", "url=" + Streaming.url(SIM.get(), "utterance_end_ms=1000"),
                "seconds=0", "end=none", "wait=5");
        assertTrue(outcome.jvm.stderr().contains("session warning: utterance_end_without_interim_results"), outcome.toString());
        Map<String, String> end = outcome.end();
        assertEquals("handshake_rejected", end.get("root_cause"));
        assertEquals("400", end.get("handshake_status"));
        assertEquals("utterance_end_without_interim_results", end.get("warnings"));
        assertTrue(end.get("dg_error").contains("utterance_end_ms requires interim_results"), end.toString());
    }

    /** The app closes right after its audio; the URL has no encoding or sample_rate, so bytes say nothing of seconds. */
    @Test
    void aRescueWithoutSampleRateIsCountedAsSaved() throws Exception {
        int port = ForkedJvm.freePort();
        Streaming.Outcome outcome = Streaming.run("4", "metrics.port=" + port + ",log.sessions=abnormal",
                "url=" + SIM.get().listenUrl() + "?model=nova-3", "seconds=3", "realtime=true", "end=close",
                "print_metrics=" + port, "wait=10");
        assertEquals(150, outcome.words(), outcome.toString());
        assertTrue(outcome.jvm.stdout().contains(
                "METRIC_END deepgram_agent_sessions_saved_total{library=\"okhttp\",by=\"finalize\",} 1.0"), outcome.toString());
        List<String> lines = outcome.jvm.stderrLines().stream().filter(l -> l.contains("\"message\":\"session")
                || l.contains("\"message\":\"rescued")).toList();
        assertEquals(1, lines.size(), "one INFO line for a saved session\n" + outcome);
        assertTrue(lines.get(0).contains("\"level\":\"INFO\"") && lines.get(0).contains("\"saved_by\":\"finalize\""), lines.get(0));
        assertTrue(Double.parseDouble(outcome.end().get("audio_rescued_seconds")) > 0, outcome.toString());
    }

    /** 1 s of audio, a 14 s pause the agent's KeepAlives bridge, 1 s more. */
    @Test
    void aPauseBridgedByKeepAliveIsSavedAndMeasuredAsTheAppsOwnGap() throws Exception {
        int port = ForkedJvm.freePort();
        Streaming.Outcome outcome = Streaming.run("4", "metrics.port=" + port, "url=" + Streaming.url(SIM.get(), null),
                "seconds=2", "realtime=true", "pause_after=1", "pause=14", "end=closestream", "print_metrics=" + port, "wait=20");
        assertEquals(100, outcome.words(), outcome.toString());
        Map<String, String> end = outcome.end();
        assertEquals("clean", end.get("root_cause"), outcome.toString());
        assertEquals("keepalive", end.get("saved_by"), outcome.toString());
        double gap = Double.parseDouble(end.get("longest_send_gap_seconds"));
        assertTrue(gap >= 13.9 && gap < 15, "the app's own 14 s pause, not the KeepAlive interval: " + gap);
        assertTrue(outcome.jvm.stdout().contains(
                "METRIC_END deepgram_agent_sessions_saved_total{library=\"okhttp\",by=\"keepalive\",} 1.0"), outcome.toString());
        assertTrue(outcome.jvm.stdout().contains(
                "METRIC_END deepgram_agent_send_gap_longest_seconds_bucket{library=\"okhttp\",le=\"10.0\",} 0.0")
                && outcome.jvm.stdout().contains(
                "METRIC_END deepgram_agent_send_gap_longest_seconds_bucket{library=\"okhttp\",le=\"15.0\",} 1.0"),
                "the histogram records the pause between 10 and 15 s\n" + outcome);
    }
}
