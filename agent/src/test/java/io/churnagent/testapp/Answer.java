package io.churnagent.testapp;

/**
 * A class for WeavingTransformerTest to weave: {@code answer()} returns 41 unless woven. In a
 * package of its own because the agent never weaves its own packages.
 */
public class Answer {

    public int answer() {
        return 41;
    }
}
