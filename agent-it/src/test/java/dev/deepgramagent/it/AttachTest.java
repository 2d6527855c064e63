package dev.deepgramagent.it;

import dev.deepgramagent.it.apps.AttachTargetApp;
import dev.deepgramagent.it.apps.NettyAttachTargetApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar deepgram-agent.jar list|attach} against a running JVM. */
class AttachTest {

    @Test
    void attachInstrumentsAClassLoadedBeforeTheAgent() throws Exception {
        try (ForkedJvm.Running app = ForkedJvm.app(AttachTargetApp.class).start()) {
            String out = app.awaitStdout(s -> s.matches("(?s).*READY \\d+\\R.*"), 30);
            assertTrue(out.contains("before attach: websocket failed=true"), out);
            assertTrue(out.contains("before attach: jdk websocket failed=true"), out);
            Matcher m = Pattern.compile("READY (\\d+)").matcher(out);
            assertTrue(m.find());
            String pid = m.group(1);

            ForkedJvm.Result list = cli("list");
            assertEquals(0, list.exitCode(), list.toString());
            assertTrue(list.stdout().lines().anyMatch(l -> l.startsWith(pid + " ") && l.contains(AttachTargetApp.class.getName())),
                    list.toString());

            ForkedJvm.Result attach = cli("attach", pid, "hosts=127.0.0.1,log.level=debug");
            assertEquals(0, attach.exitCode(), attach.toString());
            assertTrue(attach.stdout().contains("attached to " + pid), attach.toString());

            // RealWebSocket was loaded and used before the attach: only retransformation can instrument it.
            app.awaitStderr(s -> s.contains("instrumented okhttp3.internal.ws.RealWebSocket (retransformed"), 30);
            app.send("open");
            app.awaitStdout(s -> s.contains("OPENED"), 30);
            app.awaitStderr(s -> s.contains("okhttp: tracking a Deepgram /v1/listen session"), 30);
            // The JDK client's classes too (java.net.http, platform loader), and its next session is tracked to its end.
            String err = app.awaitStderr(s -> s.contains("jdk: tracking a Deepgram /v1/listen session")
                    && s.contains("root_cause=network_reset library=jdk"), 30);
            assertTrue(err.contains("instrumented jdk.internal.net.http.websocket.WebSocketImpl (retransformed"), err);
            assertTrue(err.contains("instrumented jdk.internal.net.http.websocket.OpeningHandshake (retransformed"), err);
            assertTrue(!err.contains("internal error"), err);
            app.send("exit");
            ForkedJvm.Result end = app.awaitExit(30);
            assertEquals(0, end.exitCode(), end.toString());
        }
    }

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.withLatency(java.time.Duration.ofMillis(300));

    /**
     * Netty's handshaker was loaded (and used) before the agent: the attach retransforms it, and the
     * next session is tracked and rescued. (Channels opened before the attach are not adopted.)
     */
    @Test
    void attachInstrumentsNettyLoadedBeforeTheAgent() throws Exception {
        try (ForkedJvm.Running app = ForkedJvm.app(NettyAttachTargetApp.class).stack("netty-4.1")
                .args(Streaming.url(SIM.get(), null)).start()) {
            String out = app.awaitStdout(s -> s.matches("(?s).*READY \\d+\\R.*"), 30);
            assertTrue(out.contains("before attach: netty session ended=true"), out);
            Matcher m = Pattern.compile("READY (\\d+)").matcher(out);
            assertTrue(m.find());
            ForkedJvm.Result attach = cli("attach", m.group(1), "hosts=127.0.0.1,log.level=debug");
            assertEquals(0, attach.exitCode(), attach.toString());

            app.awaitStderr(s -> s.contains("instrumented io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker (retransformed"), 30);
            app.send("open");
            app.awaitStdout(s -> s.contains("OPENED"), 30);
            String err = app.awaitStderr(s -> s.contains("root_cause=clean library=netty"), 30);
            assertTrue(err.contains("netty: tracking a Deepgram /v1/listen session"), err);
            assertTrue(err.contains("injected_finalize=1"), err);
            assertTrue(!err.contains("internal error"), err);
            assertTrue(app.awaitStdout(s -> s.contains("after attach: netty session ended=true"), 5).contains("ended=true"));
            app.send("exit");
            assertEquals(0, app.awaitExit(30).exitCode());
        }
    }

    @Test
    void attachToAMissingProcessSaysSoInOneLine() throws Exception {
        long pid = ProcessHandle.current().pid() + 1_000_000;
        ForkedJvm.Result attach = cli("attach", String.valueOf(pid));
        assertEquals(2, attach.exitCode(), attach.toString());
        List<String> lines = attach.stderrLines();
        assertEquals(1, lines.size(), attach.toString());
        assertTrue(lines.get(0).contains("cannot attach to " + pid + ": no such process"), attach.toString());
    }

    /**
     * A process that is not a JVM: the attach handshake would send it SIGQUIT, which ends `sleep`.
     * `attach` refuses in one line, and the process is still there.
     */
    @Test
    void attachToAProcessThatIsNotAJvmSendsItNothing() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "120").start();
        try {
            ForkedJvm.Result attach = cli("attach", String.valueOf(sleep.pid()));
            assertEquals(2, attach.exitCode(), attach.toString());
            List<String> lines = attach.stderrLines();
            assertEquals(1, lines.size(), attach.toString());
            assertTrue(lines.get(0).contains(sleep.pid() + " is not a JVM this user can attach to"), attach.toString());
            assertTrue(!sleep.waitFor(1, TimeUnit.SECONDS) && sleep.isAlive(), "the process received no signal");
        } finally {
            sleep.destroyForcibly();
        }
    }

    @Test
    void configPrintsEveryKeyWithDefaultAndDescription() throws Exception {
        ForkedJvm.Result config = cli("config");
        assertEquals(0, config.exitCode(), config.toString());
        for (String key : List.of("enabled", "mode", "hosts", "log.level", "log.format", "init.timeout")) {
            assertTrue(config.stdout().lines().anyMatch(l -> l.startsWith(key + " ") && l.contains("default: ")),
                    key + " missing\n" + config);
        }
        assertTrue(config.stdout().contains("api.deepgram.com;*.deepgram.com"), config.toString());
    }

    static ForkedJvm.Result cli(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(ForkedJvm.java(), "-jar", ForkedJvm.AGENT_JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        try (ForkedJvm.Running r = new ForkedJvm.Running(p)) {
            return r.awaitExit(60);
        } finally {
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
