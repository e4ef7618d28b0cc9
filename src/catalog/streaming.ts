import {
  siApplemusic, siAudiomack, siBandcamp, siBeatport, siDeezer, siIheartradio, siMixcloud, siNapster,
  siNeteasecloudmusic, siPandora, siShazam, siSoundcloud, siSpotify, siTidal, siTraxsource, siVk,
  siYoutube, siYoutubemusic,
} from "simple-icons";
import { defineEntries } from "./model";

// Amazon serves the same music app from every storefront, so links arrive under many TLDs;
// listing the storefronts (rather than "amazon.<anything>") keeps lookalike domains out.
const AMAZON_TLDS = [
  "com", "ca", "com.mx", "com.br", "co.uk", "ie", "de", "fr", "it", "es", "nl", "com.be", "se", "pl",
  "com.tr", "ae", "sa", "eg", "in", "co.jp", "sg", "com.au",
];
const YANDEX_TLDS = ["ru", "com", "by", "kz", "uz"];

// Brands that Simple Icons lacks carry a colour read off their own logo, and draw a music note.
export const streamingSet = defineEntries("streaming", [
  { id: "spotify", name: "Spotify", brand: siSpotify, action: "Play",
    hosts: ["spotify.com", "*.spotify.com", "spotify.link", "spoti.fi"] },
  // Not "*.apple.com": podcasts.apple.com and apps.apple.com are other products.
  { id: "apple-music", name: "Apple Music", brand: siApplemusic, action: "Play",
    hosts: ["music.apple.com", "*.music.apple.com", "itunes.apple.com"] },
  // An exact host wins over a wildcard, so music.youtube.com never falls to "*.youtube.com".
  { id: "youtube-music", name: "YouTube Music", brand: siYoutubemusic, action: "Play", hosts: ["music.youtube.com"] },
  // The only YouTube entry: see the note on `socials` in index.ts.
  { id: "youtube", name: "YouTube", brand: siYoutube, action: "Watch",
    hosts: ["youtube.com", "*.youtube.com", "youtu.be", "youtube-nocookie.com"] },
  { id: "amazon-music", name: "Amazon Music", color: "#25d1da", action: "Play",
    hosts: AMAZON_TLDS.flatMap((tld) => [`music.amazon.${tld}`, `amazon.${tld}/music`]) },
  { id: "deezer", name: "Deezer", brand: siDeezer, action: "Play", hosts: ["deezer.com", "*.deezer.com", "deezer.page.link"] },
  { id: "tidal", name: "TIDAL", brand: siTidal, action: "Play", hosts: ["tidal.com", "*.tidal.com"] },
  { id: "soundcloud", name: "SoundCloud", brand: siSoundcloud, action: "Play", hosts: ["soundcloud.com", "*.soundcloud.com", "snd.sc"] },
  { id: "bandcamp", name: "Bandcamp", brand: siBandcamp, action: "Buy", hosts: ["bandcamp.com", "*.bandcamp.com"] },
  { id: "audiomack", name: "Audiomack", brand: siAudiomack, action: "Play", hosts: ["audiomack.com", "*.audiomack.com"] },
  { id: "pandora", name: "Pandora", brand: siPandora, action: "Play", hosts: ["pandora.com", "*.pandora.com", "pandora.app.link"] },
  { id: "qobuz", name: "Qobuz", color: "#000000", action: "Play", hosts: ["qobuz.com", "*.qobuz.com"] },
  { id: "beatport", name: "Beatport", brand: siBeatport, action: "Buy", hosts: ["beatport.com", "*.beatport.com"] },
  { id: "anghami", name: "Anghami", color: "#a22fe5", action: "Play", hosts: ["anghami.com", "*.anghami.com"] },
  { id: "boomplay", name: "Boomplay", color: "#1f1f1f", action: "Play",
    hosts: ["boomplay.com", "*.boomplay.com", "boomplaymusic.com", "*.boomplaymusic.com"] },
  { id: "iheartradio", name: "iHeartRadio", brand: siIheartradio, action: "Listen",
    hosts: ["iheart.com", "*.iheart.com", "iheartradio.com"] },
  { id: "shazam", name: "Shazam", brand: siShazam, action: "Listen", hosts: ["shazam.com", "*.shazam.com"] },
  { id: "audius", name: "Audius", color: "#cc0fe0", action: "Play", hosts: ["audius.co", "*.audius.co"] },
  { id: "jiosaavn", name: "JioSaavn", color: "#2bc5b4", action: "Play",
    hosts: ["jiosaavn.com", "*.jiosaavn.com", "saavn.com", "*.saavn.com"] },
  { id: "napster", name: "Napster", brand: siNapster, action: "Play", hosts: ["napster.com", "*.napster.com"] },
  { id: "kkbox", name: "KKBOX", color: "#09cef6", action: "Play", hosts: ["kkbox.com", "*.kkbox.com"] },
  { id: "yandex-music", name: "Yandex Music", color: "#ffcc00", action: "Play", hosts: YANDEX_TLDS.map((tld) => `music.yandex.${tld}`) },
  { id: "netease-cloud-music", name: "NetEase Cloud Music", brand: siNeteasecloudmusic, action: "Play",
    hosts: ["music.163.com", "*.music.163.com", "163cn.tv"] },
  // y.qq.com only: qq.com itself is Tencent's portal and messenger.
  { id: "qq-music", name: "QQ Music", color: "#31c27c", action: "Play", hosts: ["y.qq.com", "*.y.qq.com"] },
  { id: "melon", name: "Melon", color: "#00cd3c", action: "Play", hosts: ["melon.com", "*.melon.com"] },
  { id: "mixcloud", name: "Mixcloud", brand: siMixcloud, action: "Listen", hosts: ["mixcloud.com", "*.mixcloud.com"] },
  { id: "beatsource", name: "Beatsource", color: "#0d9cf2", action: "Buy", hosts: ["beatsource.com", "*.beatsource.com"] },
  { id: "traxsource", name: "Traxsource", brand: siTraxsource, action: "Buy", hosts: ["traxsource.com", "*.traxsource.com"] },
  { id: "juno-download", name: "Juno Download", color: "#000000", action: "Buy", hosts: ["junodownload.com", "*.junodownload.com"] },
  { id: "7digital", name: "7digital", color: "#000000", action: "Buy", hosts: ["7digital.com", "*.7digital.com"] },
  { id: "claro-musica", name: "Claro Música", color: "#da291c", action: "Play", hosts: ["claromusica.com", "*.claromusica.com"] },
  // VK Music lives under the social network's own domain; its path rule beats the bare "vk.com" of the VK entry.
  { id: "vk-music", name: "VK Music", brand: siVk, action: "Play", hosts: ["vk.com/music", "vk.ru/music", "m.vk.com/music"] },
]);
