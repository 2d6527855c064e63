package dev.deepgramagent.it;

import dev.deepgramagent.demo.SampleApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SRE's case: a service is already streaming when the agent is attached. Its open session,
 * which the agent never saw created, is adopted at its next frame and from then on gets
 * Finalize on close and KeepAlive in pauses, on OkHttp, the JDK client, nv-websocket-client,
 * Java-WebSocket and Jetty.
 */
class AdoptionTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    static final String OPTIONS = "hosts=127.0.0.1,log.format=json,log.sessions=all,metrics.port=0";

    /** Starts the app without the agent, attaches once it is streaming, and returns how it ended. */
    private static Streaming.Outcome attachedMidSession(String... app) throws Exception {
        return attachedMidSessionOn(null, app);
    }

    /** The same on an app stack of agent-it/stacks (null: OkHttp's and the JDK client's class path). */
    private static Streaming.Outcome attachedMidSessionOn(String stack, String... app) throws Exception {
        ForkedJvm jvm = ForkedJvm.app(SampleApp.class).jvmArg("-XX:+EnableDynamicAgentLoading").args(app);
        if (stack != null) {
            jvm.stack(stack);
        }
        try (ForkedJvm.Running running = jvm.start()) {
            running.awaitStdout(s -> s.contains("OPEN request_id="), 30);
            ForkedJvm.Result attach = AttachTest.cli("attach", String.valueOf(running.process.pid()), OPTIONS);
            assertEquals(0, attach.exitCode(), attach.toString());
            assertTrue(attach.stdout().contains("1 open Deepgram session(s) adopted"), attach.toString());
            return new Streaming.Outcome(running.awaitExit(90));
        }
    }

    /**
     * 10 s of audio at real time; the agent arrives after the handshake; close right after the last chunk.
     * On OkHttp, the JDK client, nv-websocket-client, Java-WebSocket, Jetty and Tyrus (their stacks' sample clients).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"okhttp", "jdk", "nv-websocket", "java-websocket", "jetty", "tyrus"})
    void aSessionOpenedBeforeTheAttachLosesNothingAtItsClose(String client) throws Exception {
        boolean stack = ForkedJvm.isStack(client);
        String[] app = {"url=" + Streaming.url(SIM.get(), null), "seconds=10", "realtime=true", "end=close",
                stack ? ClientLibrariesTest.client(client) : "client=" + client};
        CompletableFuture<Streaming.Outcome> plain = Streaming.runAsync(stack ? client : "4", null, app);

        Streaming.Outcome with = attachedMidSessionOn(stack ? client : null, app);
        assertEquals(500, with.words(), "every chunk transcribed once the agent adopted the session\n" + with);
        Map<String, String> end = with.end();
        assertEquals("clean", end.get("root_cause"), with.toString());
        assertEquals("true", end.get("adopted"), with.toString());
        assertEquals(FaultRows.library(client), end.get("library"));
        assertEquals("1", end.get("injected_finalize"), with.toString());
        assertTrue(with.jvm.stderr().contains("adopted a Deepgram session opened before the agent was attached"), with.toString());

        Streaming.Outcome without = plain.get(90, TimeUnit.SECONDS);
        assertTrue(without.words() <= 475, "without the agent the tail is lost: " + without.words() + "\n" + without);
    }

    /** Audio, the attach, more audio, then a 25 s pause: the adopted session's KeepAlives carry it. */
    @Test
    void aPauseAfterTheAttachSurvives() throws Exception {
        Streaming.Outcome with = attachedMidSession("url=" + Streaming.url(SIM.get(), null), "seconds=8", "realtime=true",
                "pause_after=6", "pause=25", "end=close", "wait=20");
        assertEquals(400, with.words(), with.toString());
        assertEquals("clean", with.rootCause(), with.toString());
        assertTrue(Integer.parseInt(with.end().get("injected_keepalive")) >= 4, with.toString());
        assertTrue(!with.jvm.stdout().contains("CLOSING 1011"), with.toString());
    }
}
