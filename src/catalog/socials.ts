import {
  siBluesky, siDiscord, siFacebook, siInstagram, siKick, siKofi, siPatreon, siPinterest, siReddit,
  siSnapchat, siTelegram, siThreads, siTiktok, siTumblr, siTwitch, siVk, siWhatsapp, siX,
} from "simple-icons";
import { defineEntries } from "./model";

// Mastodon and LinkedIn are left out: Mastodon has no single host to recognise (every server is
// its own), and Simple Icons no longer ships LinkedIn's mark.
export const socialSet = defineEntries("social", [
  { id: "instagram", name: "Instagram", brand: siInstagram, action: "Follow",
    hosts: ["instagram.com", "*.instagram.com", "instagr.am"] },
  { id: "tiktok", name: "TikTok", brand: siTiktok, action: "Follow", hosts: ["tiktok.com", "*.tiktok.com"] },
  { id: "x", name: "X", brand: siX, action: "Follow", hosts: ["x.com", "*.x.com", "twitter.com", "*.twitter.com"] },
  { id: "facebook", name: "Facebook", brand: siFacebook, action: "Follow",
    hosts: ["facebook.com", "*.facebook.com", "fb.com", "fb.me", "fb.watch"] },
  { id: "threads", name: "Threads", brand: siThreads, action: "Follow", hosts: ["threads.net", "threads.com"] },
  { id: "twitch", name: "Twitch", brand: siTwitch, action: "Watch", hosts: ["twitch.tv", "*.twitch.tv"] },
  { id: "kick", name: "Kick", brand: siKick, action: "Watch", hosts: ["kick.com"] },
  { id: "discord", name: "Discord", brand: siDiscord, action: "Join", hosts: ["discord.com", "discord.gg", "discordapp.com"] },
  { id: "snapchat", name: "Snapchat", brand: siSnapchat, action: "Follow", hosts: ["snapchat.com", "*.snapchat.com"] },
  { id: "bluesky", name: "Bluesky", brand: siBluesky, action: "Follow", hosts: ["bsky.app"] },
  { id: "patreon", name: "Patreon", brand: siPatreon, action: "Support", hosts: ["patreon.com"] },
  { id: "ko-fi", name: "Ko-fi", brand: siKofi, action: "Support", hosts: ["ko-fi.com"] },
  { id: "reddit", name: "Reddit", brand: siReddit, action: "Join", hosts: ["reddit.com", "*.reddit.com", "redd.it"] },
  { id: "telegram", name: "Telegram", brand: siTelegram, action: "Join", hosts: ["t.me", "telegram.me"] },
  { id: "whatsapp", name: "WhatsApp", brand: siWhatsapp, action: "Follow", hosts: ["whatsapp.com", "*.whatsapp.com", "wa.me"] },
  { id: "pinterest", name: "Pinterest", brand: siPinterest, action: "Follow",
    hosts: ["pinterest.com", "*.pinterest.com", "pin.it", "pinterest.co.uk", "pinterest.de", "pinterest.fr", "pinterest.ca", "pinterest.com.au"] },
  { id: "tumblr", name: "Tumblr", brand: siTumblr, action: "Follow", hosts: ["tumblr.com", "*.tumblr.com"] },
  { id: "vk", name: "VK", brand: siVk, action: "Follow", hosts: ["vk.com", "vk.ru", "m.vk.com"] },
]);
