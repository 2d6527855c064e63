package dev.deepgramagent.install;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstrumentedTypesTest {

    @Test
    void theStartUpGateNamesExactlyTheModulesTypes() {
        Set<String> fromModules = new HashSet<>();
        for (InstrumentationModule m : AgentStartup.MODULES) {
            for (String type : m.typeNames()) {
                fromModules.add(type.replace('.', '/'));
            }
        }
        assertEquals(fromModules, InstrumentedTypes.INTERNAL_NAMES);
    }

    /**
     * The JDK client's classes of the JDK running this test (17 in the build, 25 in CI's second pass
     * of the forked tests) get every piece of advice: each Bridge call appears in the woven class.
     */
    @Test
    void everyJdkWebSocketMethodIsMatchedOnThisJdk() throws Exception {
        InstrumentationModule jdk = AgentStartup.MODULES.stream().filter(m -> m.library().equals("jdk")).findFirst().orElseThrow();
        Map<String, List<String>> expected = Map.of(
                "jdk.internal.net.http.websocket.BuilderImpl", List.of("tunedTimeout"),
                "jdk.internal.net.http.websocket.OpeningHandshake", List.of("socketCreated", "handshakeStarted", "socketOpened",
                        "socketRekeyed", "failed"),
                "jdk.internal.net.http.websocket.WebSocketImpl", List.of("socketRekeyed", "audioSent", "sendIssued", "textSent",
                        "closeRequested", "deferredCloseResult", "cancelRequested", "failed"),
                "jdk.internal.net.http.websocket.WebSocketImpl$SignallingMessageConsumer", List.of("textPartReceived",
                        "closeReceived", "failed"));
        Weaver weaver = new Weaver(AgentStartup.MODULES);
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (String type : jdk.typeNames()) {
            byte[] original;
            try (InputStream in = ModuleLayer.boot().findModule("java.net.http").orElseThrow().getResourceAsStream(type.replace('.', '/') + ".class")) {
                assertNotNull(in, type);
                original = in.readAllBytes();
            }
            String woven = new String(weaver.weave(platform, type, original, jdk.advice(type)), StandardCharsets.ISO_8859_1);
            for (String call : expected.get(type)) {
                assertTrue(woven.contains(call), type + " calls Bridge." + call);
            }
        }
    }

    /**
     * Netty's handshaker, reactor-netty's WebSocket operations and Vert.x's handshake handler, as
     * the versions on this test's class path ship them (Netty 4.1, reactor-netty 1.3, Vert.x 5),
     * get every piece of advice.
     */
    @Test
    void everyNettyHookIsMatched() throws Exception {
        InstrumentationModule netty = AgentStartup.MODULES.stream().filter(m -> m.library().equals("netty")).findFirst().orElseThrow();
        Map<String, List<String>> expected = Map.of(
                "io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker", List.of("socketCreated", "socketOpened", "failed"),
                "reactor.netty.http.client.WebsocketClientOperations", List.of("closeIssued"),
                "io.vertx.core.http.impl.WebSocketHandshakeInboundHandler", List.of("failed"));
        assertEquals(expected.keySet(), Set.copyOf(netty.typeNames()));
        Weaver weaver = new Weaver(AgentStartup.MODULES);
        ClassLoader loader = getClass().getClassLoader();
        for (String type : netty.typeNames()) {
            byte[] original;
            try (InputStream in = loader.getResourceAsStream(type.replace('.', '/') + ".class")) {
                assertNotNull(in, type);
                original = in.readAllBytes();
            }
            String woven = new String(weaver.weave(loader, type, original, netty.advice(type)), StandardCharsets.ISO_8859_1);
            for (String call : expected.get(type)) {
                assertTrue(woven.contains(call), type + " calls Bridge." + call);
            }
        }
    }
}
