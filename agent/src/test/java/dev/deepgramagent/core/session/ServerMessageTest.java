package dev.deepgramagent.core.session;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerMessageTest {

    @Test
    void readsTopLevelFieldsAndSkipsNestedOnes() {
        String json = "{\"type\":\"Results\",\"channel_index\":[0,1],\"duration\":1.02,\"start\":3.5,\"is_final\":true,"
                + "\"speech_final\":false,\"channel\":{\"alternatives\":[{\"transcript\":\"say \\\"start\\\": 9\","
                + "\"words\":[{\"word\":\"x\",\"start\":99.0,\"end\":100.0}]}]},\"metadata\":{\"request_id\":\"r\"},\"from_finalize\":true}";
        ServerMessage m = ServerMessage.parse(json);
        assertTrue(m.isResults());
        assertTrue(m.isFinal);
        assertTrue(m.fromFinalize);
        assertEquals(3.5, m.start, 1e-9);
        assertEquals(1.02, m.duration, 1e-9);
    }

    @Test
    void otherMessages() {
        assertTrue(ServerMessage.parse("{\"type\":\"Metadata\",\"duration\":10.0,\"models\":[\"a\"]}").isMetadata());
        ServerMessage interim = ServerMessage.parse("{\"type\":\"Results\",\"is_final\":false,\"start\":0,\"duration\":0.5}");
        assertFalse(interim.isFinal);
        assertEquals("SpeechStarted", ServerMessage.parse(" { \"type\" : \"SpeechStarted\" , \"timestamp\" : 1.0 } ").type);
        assertNull(ServerMessage.parse("not json"));
        assertNull(ServerMessage.parse("{\"type\":"));
        assertNull(ServerMessage.parse(""));
        assertNull(ServerMessage.parse(null), "a library's empty text frame");
    }

    @Test
    void fluxTurnsAndErrorFrames() {
        ServerMessage eot = ServerMessage.parse("{\"type\":\"TurnInfo\",\"event\":\"EndOfTurn\",\"turn_index\":2,"
                + "\"audio_window_start\":1.25,\"audio_window_end\":3.5,\"transcript\":\"private words\","
                + "\"words\":[{\"word\":\"private\",\"confidence\":0.9}],\"trigger\":\"manual\"}");
        assertTrue(eot.isTurnEvent("EndOfTurn"));
        assertFalse(eot.isResults());
        assertEquals("manual", eot.trigger);
        assertEquals(1.25, eot.windowStart, 1e-9);
        assertEquals(3.5, eot.windowEnd, 1e-9);

        ServerMessage error = ServerMessage.parse("{\"type\":\"Error\",\"variant\":\"SchemaError\",\"description\":\"x\",\"code\":\"INVALID_MESSAGE\"}");
        assertEquals("SchemaError", error.variant);
        assertEquals("INVALID_MESSAGE", error.code);
        assertEquals("1011", ServerMessage.parse("{\"type\":\"Error\",\"code\":1011}").code);
        ServerMessage configured = ServerMessage.parse("{\"type\":\"ConfigureSuccess\",\"keyterms\":[\"is_final\"]}");
        assertFalse(configured.isResults(), "Configure answers are never results");
        assertEquals(-1, configured.windowEnd, 1e-9);
    }

    /** Escaped quotes and backslashes inside skipped strings, at any depth, never end them early. */
    @Test
    void escapesInsideSkippedValues() {
        String json = "{\"channel\":{\"alternatives\":[{\"transcript\":\"a \\\\\\\", \\\"is_final\\\": false, \\\\\"}]},"
                + "\"note\":\"ends with a backslash \\\\\",\"is_final\":true,\"type\":\"Res\\\"ults\"}";
        ServerMessage m = ServerMessage.parse(json);
        assertTrue(m.isFinal, json);
        assertEquals("Res\"ults", m.type);
        assertNull(ServerMessage.parse("{\"type\":\"Results\",\"channel\":{\"x\":\"unterminated}}"));
    }

    /** The types and events Deepgram sends come back as constants: the receive path allocates no string for them. */
    @Test
    void knownValuesAreConstantsOthersAreCopies() {
        assertSame("Results", ServerMessage.parse("{\"type\":\"Results\"}").type);
        assertSame("EndOfTurn", ServerMessage.parse("{\"type\":\"TurnInfo\",\"event\":\"EndOfTurn\"}").event);
        assertEquals("SomethingNew", ServerMessage.parse("{\"type\":\"SomethingNew\"}").type);
        assertEquals("DATA-0000", ServerMessage.parse("{\"type\":\"Error\",\"variant\":\"DATA-0000\"}").variant);
    }

    /** Numbers read without Double.parseDouble where they are plain decimals: the same double, bit for bit. */
    @Test
    void numbersMatchDoubleParseDouble() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int n = 0; n < 20_000; n++) {
            int scale = random.nextInt(0, 8);
            long unscaled = random.nextLong(0, 1_000_000_000_000L);
            String text = new java.math.BigDecimal(java.math.BigInteger.valueOf(unscaled), scale).toPlainString();
            if (random.nextBoolean()) {
                text = "-" + text;
            }
            ServerMessage m = ServerMessage.parse("{\"start\":" + text + ",\"duration\":" + text + "}");
            assertEquals(Double.parseDouble(text), m.start, 0.0, text);
            assertEquals(Double.parseDouble(text), m.duration, 0.0, text);
        }
        for (String text : new String[] {"1e-3", "2.5E2", "0.12345678901234567890", "12345678901234567", "12.", "-0", "0.0"}) {
            assertEquals(Double.parseDouble(text), ServerMessage.parse("{\"start\":" + text + "}").start, 0.0, text);
        }
        assertEquals(0, ServerMessage.parse("{\"start\":-,\"type\":\"Results\"}").start, 0.0, "unreadable numbers read as 0");
    }

    /**
     * The scan stops at the words once it has read what the agent reads from a {@code Results} or a
     * {@code TurnInfo} update; {@code from_finalize} comes from the end of the message. The words
     * here are unterminated: a parse that reached them would return null.
     */
    @Test
    void stopsBeforeTheWordsOnceItHasWhatItReads() {
        String words = ",\"channel\":{\"alternatives\":[{\"transcript\":\"never read";
        ServerMessage deepgramOrder = ServerMessage.parse("{\"type\":\"Results\",\"duration\":1.5,\"start\":2.0,"
                + "\"is_final\":true,\"speech_final\":true" + words + ",\"from_finalize\":true}");
        assertTrue(deepgramOrder.isFinal);
        assertTrue(deepgramOrder.fromFinalize, "from the end of the message");
        assertEquals(2.0, deepgramOrder.start, 1e-9);
        assertEquals(1.5, deepgramOrder.duration, 1e-9);
        assertFalse(ServerMessage.parse("{\"type\":\"Results\",\"duration\":1.5,\"start\":2.0,\"is_final\":true"
                + words + ",\"from_finalize\":false}").fromFinalize);
        ServerMessage finalizeFirst = ServerMessage.parse("{\"type\":\"Results\",\"duration\":1.5,\"start\":2.0,"
                + "\"is_final\":false,\"from_finalize\":true" + words);
        assertTrue(finalizeFirst.fromFinalize);
        assertFalse(finalizeFirst.isFinal);
        ServerMessage update = ServerMessage.parse("{\"type\":\"TurnInfo\",\"event\":\"Update\",\"audio_window_start\":0.5,"
                + "\"audio_window_end\":1.25,\"transcript\":\"x\",\"words\":[{\"word\":\"never read");
        assertEquals(1.25, update.windowEnd, 1e-9);
        assertNull(ServerMessage.parse("{\"type\":\"TurnInfo\",\"event\":\"EndOfTurn\",\"audio_window_start\":0.5,"
                + "\"audio_window_end\":1.25,\"words\":[{\"word\":\"x"), "EndOfTurn's trigger follows its words");
    }

    /** Where the end of the message is not a top-level from_finalize, the message is scanned whole. */
    @Test
    void aFromFinalizeElsewhereIsReadOnlyWhereItIsTopLevel() {
        String head = "{\"type\":\"Results\",\"duration\":1.5,\"start\":2.0,\"is_final\":true,\"channel\":{\"a\":[1]}";
        assertFalse(ServerMessage.parse(head + ",\"metadata\":{\"from_finalize\":true}}").fromFinalize, "nested");
        assertTrue(ServerMessage.parse(head + ",\"from_finalize\":true }").fromFinalize, "whitespace: the full scan");
        assertTrue(ServerMessage.parse(head + ",\"from_finalize\" : true}").fromFinalize, "whitespace: the full scan");
        assertFalse(ServerMessage.parse(head + "}").fromFinalize, "absent");
    }
}
