package dev.deepgramagent.it;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Apps that close twice (in a listener and again in a finally block, say): the second close arrives
 * while the first waits for Deepgram's answer to the agent's Finalize. It must wait with it, on every
 * library, or it closes the connection before the last results. 4 s of audio at real time, then the
 * two closes right after the last chunk.
 */
class DoubleCloseTest {

    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"okhttp", "jdk", "reactor-netty", "nv-websocket", "java-websocket", "jetty", "tyrus"})
    void aSecondCloseWaitsWithTheFirst(String library) throws Exception {
        String runtime = library.equals("okhttp") || library.equals("jdk") ? "4" : library;
        String client = library.equals("okhttp") ? "client=okhttp" : library.equals("jdk") ? "client=jdk"
                : library.equals("reactor-netty") ? NettyClientTest.client(library) : ClientLibrariesTest.client(library);
        Streaming.Outcome with = Streaming.run(runtime, "", "url=" + Streaming.url(SIM.get(), null), "seconds=4", "realtime=true",
                "end=close_twice", client);
        assertEquals(200, with.words(), "every chunk transcribed\n" + with);
        Map<String, String> end = with.end();
        assertEquals("clean", end.get("root_cause"), with.toString());
        assertEquals(FaultRows.library(library), end.get("library"), with.toString());
        assertEquals("1", end.get("injected_finalize"), with.toString());
        assertFalse(with.jvm.stderr().contains("internal error"), with.toString());
    }
}
