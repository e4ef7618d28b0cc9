// Preloaded by bunfig.toml: a hook here runs once, after every test file of the run.
import { afterAll } from "bun:test";
import { removeTempDirs } from "./temp";

afterAll(removeTempDirs);
