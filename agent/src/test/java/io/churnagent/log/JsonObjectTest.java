package io.churnagent.log;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonObjectTest {

    /** Strict: no duplicate keys, nothing after the object, no unescaped control characters (Jackson's default). */
    static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Parses {@code json} the way a log pipeline receives it: as UTF-8 bytes, which must encode cleanly. */
    static JsonNode parse(String json) throws Exception {
        java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(json));
        byte[] utf8 = new byte[encoded.remaining()];
        encoded.get(utf8);
        assertFalse(json.contains("\n") || json.contains("\r") || json.contains("\u2028") || json.contains("\u2029"),
                "one line: " + json);
        return STRICT.readTree(utf8);
    }

    /** What a string must read back as: lone surrogates become U+FFFD, everything else is kept. */
    static String expected(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Test
    void everyCharacterThatNeedsEscapingIsEscaped() throws Exception {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x100; c++) {
            all.append(c);
        }
        all.append("\u2028\u2029\uFEFF\uFFFF \"quoted\" back\\slash /slash");
        String value = all.toString();
        String json = new JsonObject().add("k\"ey\n", value).toString();
        for (char c = 0; c < 0x20; c++) {
            assertEquals(-1, json.indexOf(c), "raw control character " + (int) c + " in " + json);
        }
        JsonNode node = parse(json);
        assertEquals(value, node.get("k\"ey\n").asText());
    }

    @Test
    void loneSurrogatesBecomeTheReplacementCharacterAndPairsSurvive() throws Exception {
        String[] cases = {"\uD800", "\uDC00", "a\uD800b", "\uDC00\uD800", "\uD83D\uDE00", "x\uD83D\uDE00\uD83D",
                "\uD83D\uD83D\uDE00", "end\uD800"};
        for (String s : cases) {
            JsonNode node = parse(new JsonObject().add("v", s).toString());
            assertEquals(expected(s), node.get("v").asText(), () -> "for " + escape(s));
        }
        assertEquals("a\uFFFDb", parse(new JsonObject().add("v", "a\uD800b").toString()).get("v").asText());
    }

    @Test
    void randomStringsOfAnyCharactersReadBackExactly() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            char[] chars = new char[random.nextInt(40)];
            for (int i = 0; i < chars.length; i++) {
                switch (random.nextInt(5)) {
                    case 0:
                        chars[i] = (char) random.nextInt(0x40); // controls, quote, punctuation
                        break;
                    case 1:
                        chars[i] = (char) (0xD800 + random.nextInt(0x800)); // surrogates, paired by chance or not
                        break;
                    case 2:
                        chars[i] = "\"\\/\u2028\u2029\u007f\u0085".charAt(random.nextInt(7));
                        break;
                    default:
                        chars[i] = (char) random.nextInt(0x10000);
                }
            }
            String s = new String(chars);
            String json = new JsonObject().add(s, s).add("list", Arrays.asList(s, null, "")).toString();
            JsonNode node;
            try {
                node = parse(json);
            } catch (CharacterCodingException e) {
                throw new AssertionError("not encodable as UTF-8 for " + escape(s) + ": " + json, e);
            }
            String key = node.fieldNames().next();
            assertEquals(expected(s), key, () -> escape(s));
            assertEquals(expected(s), node.get(key).asText(), () -> escape(s));
            assertEquals(expected(s), node.get("list").get(0).asText());
            assertTrue(node.get("list").get(1).isNull());
        }
    }

    @Test
    void numbersBooleansNullsAndNonFiniteValues() throws Exception {
        JsonNode node = parse(new JsonObject()
                .add("max", Long.MAX_VALUE).add("min", Long.MIN_VALUE).add("zero", 0L)
                .add("half", 0.5).add("tiny", 1e-300).add("huge", 1.7976931348623157E308).add("three", 3.0)
                .add("negzero", -0.0)
                .add("nan", Double.NaN).add("inf", Double.POSITIVE_INFINITY).add("ninf", Double.NEGATIVE_INFINITY)
                .add("yes", true).add("no", false).addNull("none").add("nothing", (String) null)
                .add("empty", List.of()).toString());
        assertEquals(Long.MAX_VALUE, node.get("max").asLong());
        assertEquals(Long.MIN_VALUE, node.get("min").asLong());
        assertEquals(0.5, node.get("half").asDouble());
        assertEquals(1e-300, node.get("tiny").asDouble());
        assertEquals(1.7976931348623157E308, node.get("huge").asDouble());
        assertEquals(3, node.get("three").asInt());
        assertTrue(node.get("three").isIntegralNumber(), "3.0 is written as 3");
        for (String absent : new String[] {"nan", "inf", "ninf", "none", "nothing"}) {
            assertTrue(node.get(absent).isNull(), absent);
        }
        assertTrue(node.get("yes").booleanValue());
        assertFalse(node.get("no").booleanValue());
        assertTrue(node.get("empty").isArray() && node.get("empty").isEmpty());
    }

    @Test
    void aKeyGivenTwiceKeepsItsFirstValueAndTheObjectStaysValid() throws Exception {
        String json = new JsonObject().add("a", 1L).add("a", "two").add("b", 2L).toString();
        JsonNode node = parse(json); // STRICT_DUPLICATE_DETECTION would throw on a second "a"
        assertEquals(1, node.get("a").asInt());
        Iterator<String> names = node.fieldNames();
        assertEquals("a", names.next());
        assertEquals("b", names.next());
        assertEquals("{}", new JsonObject().toString());
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(String.format("\\u%04x", (int) c));
        }
        return sb.toString();
    }
}
