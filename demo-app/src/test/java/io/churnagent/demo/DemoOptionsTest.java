package io.churnagent.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DemoOptionsTest {

    @Test
    void noArgumentsGiveTheDefaults() throws Exception {
        DemoOptions options = DemoOptions.parse();
        assertEquals(DemoOptions.Mode.CHURN, options.mode);
        assertEquals(DemoOptions.ClientKind.JDK, options.client);
        assertEquals(400, options.rps);
        assertEquals(30, options.durationSeconds);
        assertEquals(0, options.port);
        assertFalse(options.help);
    }

    @Test
    void everyFlagIsParsed() throws Exception {
        DemoOptions options = DemoOptions.parse(
                "--mode=pooled", "--client=socket", "--rps=0", "--duration=0", "--port=65535");
        assertEquals(DemoOptions.Mode.POOLED, options.mode);
        assertEquals(DemoOptions.ClientKind.SOCKET, options.client);
        assertEquals(0, options.rps);
        assertEquals(0, options.durationSeconds);
        assertEquals(65535, options.port);
    }

    @Test
    void urlConnectionClientIsAccepted() throws Exception {
        assertEquals(DemoOptions.ClientKind.URLCONNECTION, DemoOptions.parse("--client=urlconnection").client);
    }

    @Test
    void theLastOccurrenceOfAFlagWins() throws Exception {
        assertEquals(7, DemoOptions.parse("--rps=5", "--rps=7").rps);
    }

    @Test
    void helpIsRecognisedInBothForms() throws Exception {
        assertTrue(DemoOptions.parse("--help").help);
        assertTrue(DemoOptions.parse("--rps=3", "-h").help);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--rps           | --rps=N",
        "--rps=          | --rps=N",
        "--rps=abc       | --rps=N",
        "--rps=-1        | --rps=N",
        "--rps=+5        | --rps=N",
        "--rps=1e3       | --rps=N",
        "--rps= 5        | --rps=N",
        "--rps=100001    | --rps=N",
        "--rps=99999999999 | --rps=N",
        "--duration=-5   | --duration=SECONDS",
        "--duration=2.5  | --duration=SECONDS",
        "--port=65536    | --port=N",
        "--mode=fast     | --mode=churn|pooled",
        "--mode=CHURN    | --mode=churn|pooled",
        "--mode          | --mode=churn|pooled",
        "--client=okhttp | --client=jdk|urlconnection|socket",
    })
    void malformedValuesNameTheFlagAndTheAcceptedForm(String argument, String acceptedForm) {
        DemoOptions.InvalidOptionException e =
                assertThrows(DemoOptions.InvalidOptionException.class, () -> DemoOptions.parse(argument));
        String flag = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
        assertTrue(e.getMessage().startsWith("bad value for " + flag + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + acceptedForm), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"--bogus=1", "-rps=5", "rps=5", "200", "--Rps=5"})
    void unknownArgumentsAreNamed(String argument) {
        DemoOptions.InvalidOptionException e =
                assertThrows(DemoOptions.InvalidOptionException.class, () -> DemoOptions.parse("--rps=5", argument));
        assertTrue(e.getMessage().startsWith("unknown argument '" + argument + "'"), e.getMessage());
    }
}
