package dev.deepgramagent.core;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class DeepgramEndpointsTest {

    private final DeepgramEndpoints defaults = new DeepgramEndpoints(List.of("api.deepgram.com", "*.deepgram.com"));

    @Test
    void defaultHostsAndListenPaths() {
        assertEquals(DeepgramEndpoints.Endpoint.LISTEN_V1, defaults.classify("wss://api.deepgram.com/v1/listen?model=nova-3"));
        assertEquals(DeepgramEndpoints.Endpoint.LISTEN_V1, defaults.classify("https://API.Deepgram.com:443/v1/listen"));
        assertEquals(DeepgramEndpoints.Endpoint.LISTEN_V2, defaults.classify("wss://eu.api.deepgram.com/v2/listen"));
        assertEquals(DeepgramEndpoints.Endpoint.LISTEN_V1, defaults.classify("ws://api.deepgram.com/v1/listen/"));
        assertEquals(DeepgramEndpoints.Endpoint.LISTEN_V1, defaults.classify("wss://api.deepgram.com/v1/listen?keyterm=a|b&x={y}"),
                "OkHttp leaves '|' and braces unencoded in queries; java.net.URI would reject the whole URL");
    }

    @Test
    void otherHostsAndPathsAreNotSessions() {
        assertNull(defaults.classify("wss://deepgram.com/v1/listen"));
        assertNull(defaults.classify("wss://api.deepgram.com.evil.example/v1/listen"));
        assertNull(defaults.classify("wss://notdeepgram.com/v1/listen"));
        assertNull(defaults.classify("wss://api.deepgram.com/v1/speak"));
        assertNull(defaults.classify("wss://agent.deepgram.com/v1/agent/converse"));
        assertNull(defaults.classify("wss://example.com/v1/listen"));
        assertNull(defaults.classify("not a url"));
        assertNull(defaults.classify(null));
    }

    @Test
    void hostPortPatternsAndPrefixedPaths() {
        DeepgramEndpoints selfHosted = new DeepgramEndpoints(List.of("dg.internal:8080", "[::1]:9000", "127.0.0.1"));
        assertEquals(DeepgramEndpoints.Endpoint.LISTEN_V1, selfHosted.classify("ws://dg.internal:8080/v1/listen"));
        assertNull(selfHosted.classify("ws://dg.internal/v1/listen"));
        assertNull(selfHosted.classify("ws://dg.internal:8081/v1/listen"));
        assertEquals(DeepgramEndpoints.Endpoint.LISTEN_V1, selfHosted.classify("http://[::1]:9000/stt/v1/listen"));
        assertEquals(DeepgramEndpoints.Endpoint.LISTEN_V1, selfHosted.classify("http://127.0.0.1:41234/v1/listen?x=1"));
    }
}
