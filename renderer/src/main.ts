import { mount } from 'svelte';
import App from './App.svelte';
import { api } from './lib/api';
import { startLive } from './lib/stores/live';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
// Stores subscribe once, before any page: jobs keep reporting while pages come and go.
startLive(api);
export default mount(App, { target });
